// "Two addresses, one person": the agent names the person's other address and chooses which contact
// stays; the other is merged into it (its row stays, so its mail still arrives), and both panels then
// show both addresses and all their cases.
import { Show, createSignal } from 'solid-js';
import { customerByEmail, mergeContact } from '../../api/customer.ts';
import { errorMessage } from '../../api/errors.ts';

export function MergeContact(props: { contactId: string; email: string; done: () => void }) {
  const [other, setOther] = createSignal('');
  const [keep, setKeep] = createSignal<'this' | 'other'>('this');
  const [error, setError] = createSignal<string | null>(null);
  const [busy, setBusy] = createSignal(false);
  const merge = async () => {
    setError(null);
    setBusy(true);
    try {
      const found = await customerByEmail(other().trim());
      // The other address's person: their survivor is the one merged or merged into.
      const theirs = found.contact.id;
      if (keep() === 'this') await mergeContact(theirs, props.contactId);
      else await mergeContact(props.contactId, theirs);
      setOther('');
      props.done();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <details class="customer-merge" data-testid="customer-merge">
      <summary>Same person, another address…</summary>
      <input
        type="email"
        placeholder="their other address"
        aria-label="The person's other address"
        data-testid="customer-merge-email"
        value={other()}
        onInput={(e) => setOther(e.currentTarget.value)}
      />
      <label>
        <input type="radio" name={`keep-${props.contactId}`} checked={keep() === 'this'} onChange={() => setKeep('this')} /> keep {props.email}
      </label>
      <label>
        <input type="radio" name={`keep-${props.contactId}`} checked={keep() === 'other'} onChange={() => setKeep('other')} /> keep the other
      </label>
      <button type="button" data-testid="customer-merge-confirm" disabled={busy() || !other().trim()} onClick={() => void merge()}>
        Merge
      </button>
      <Show when={error()}>
        <p class="error" role="alert">
          {error()}
        </p>
      </Show>
    </details>
  );
}
