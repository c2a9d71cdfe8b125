// The customer panel of a case: who wrote (name, every address merged into the person, phone, note),
// their organisation by email domain (none for a free mail service) and their other cases, open
// first. Name, phone, note and the organisation's name and note are edited in place and saved; what
// another agent saves arrives live (stores/customer.ts).
import { For, Show, createSignal } from 'solid-js';
import type { CustomerView } from '../../../../worker/protocol/customer.ts';
import { editContact, editOrganisation } from '../../api/customer.ts';
import { errorMessage } from '../../api/errors.ts';
import { Loadable } from '../../components/Loadable.tsx';
import { STATUS_LABELS, caseHref, now, relativeTime } from '../../lib/format.ts';
import { createCustomer } from '../../stores/customer.ts';
import { MergeContact } from './MergeContact.tsx';
import '../../styles/customer.css';

const OPEN = new Set(['new', 'open', 'pending']);

/** A value shown as text, edited in place: Save sends it, Escape or Cancel forgets the edit. */
function Editable(props: { label: string; value: string; testid: string; multiline?: boolean; placeholder?: string; save: (value: string) => Promise<unknown> }) {
  const [editing, setEditing] = createSignal(false);
  const [draft, setDraft] = createSignal('');
  const [error, setError] = createSignal<string | null>(null);
  const [busy, setBusy] = createSignal(false);
  const start = () => {
    setDraft(props.value);
    setError(null);
    setEditing(true);
  };
  const save = async () => {
    setBusy(true);
    try {
      await props.save(draft());
      setEditing(false);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'Escape') {
      e.stopPropagation();
      setEditing(false);
    } else if (e.key === 'Enter' && (!props.multiline || e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      void save();
    }
  };
  const field = (el: HTMLInputElement | HTMLTextAreaElement) => queueMicrotask(() => el.focus());
  return (
    <div class="customer-field">
      <span class="muted">{props.label}</span>
      <Show
        when={editing()}
        fallback={
          <button type="button" class="customer-value" data-testid={props.testid} title={`Edit ${props.label.toLowerCase()}`} onClick={start}>
            {props.value || <span class="muted">{props.placeholder ?? 'Add…'}</span>}
          </button>
        }
      >
        <Show
          when={props.multiline}
          fallback={<input ref={field} aria-label={props.label} data-testid={`${props.testid}-input`} value={draft()} onInput={(e) => setDraft(e.currentTarget.value)} onKeyDown={onKey} />}
        >
          <textarea ref={field} aria-label={props.label} data-testid={`${props.testid}-input`} rows={3} value={draft()} onInput={(e) => setDraft(e.currentTarget.value)} onKeyDown={onKey} />
        </Show>
        <span class="customer-actions">
          <button type="button" data-testid={`${props.testid}-save`} disabled={busy()} onClick={() => void save()}>
            Save
          </button>
          <button type="button" onClick={() => setEditing(false)}>
            Cancel
          </button>
        </span>
        <Show when={error()}>
          <p class="error" role="alert">
            {error()}
          </p>
        </Show>
      </Show>
    </div>
  );
}

function Body(props: { view: CustomerView; caseId: string; saved: (v: CustomerView) => void; reload: () => void }) {
  const others = () => props.view.cases.filter((c) => c.id !== props.caseId);
  const otherCount = () => props.view.caseCount - (props.view.cases.some((c) => c.id === props.caseId) ? 1 : 0);
  const contact = () => props.view.contact;
  return (
    <>
      <Editable label="Name" testid="customer-name" value={contact().name} placeholder={contact().email} save={async (name) => props.saved(await editContact(contact().id, { name }))} />
      <ul class="customer-addresses" data-testid="customer-addresses">
        <For each={props.view.addresses}>{(a) => <li data-contact-id={a.id}>{a.email}</li>}</For>
      </ul>
      <Editable label="Phone" testid="customer-phone" value={contact().phone} save={async (phone) => props.saved(await editContact(contact().id, { phone }))} />
      <Editable label="Note" testid="customer-note" multiline value={contact().note} save={async (note) => props.saved(await editContact(contact().id, { note }))} />
      <Show when={props.view.organisation}>
        {(org) => (
          <div class="customer-org" data-testid="customer-org" data-domain={org().domain}>
            <h4>Organisation · {org().domain}</h4>
            <Editable label="Name" testid="org-name" value={org().name} save={async (name) => (await editOrganisation(org().domain, { name }), props.reload())} />
            <Editable label="Note" testid="org-note" multiline value={org().note} save={async (note) => (await editOrganisation(org().domain, { note }), props.reload())} />
          </div>
        )}
      </Show>
      <h4>
        Other cases{' '}
        <span class="badge" data-testid="customer-case-count">
          {otherCount()}
        </span>
      </h4>
      <ul class="customer-cases" data-testid="customer-cases">
        <For each={others()} fallback={<li class="muted">None.</li>}>
          {(c) => (
            <li classList={{ open: OPEN.has(c.status) }}>
              <a href={caseHref(c.id)} data-case-id={c.id}>
                #{c.number} {c.subject}
              </a>{' '}
              <span class={`badge status-${c.status}`}>{STATUS_LABELS[c.status]}</span> <span class="muted">{relativeTime(c.lastMessageAt, now())}</span>
            </li>
          )}
        </For>
      </ul>
      <MergeContact contactId={contact().id} email={contact().email} done={props.reload} />
    </>
  );
}

export function CustomerPanel(props: { caseId: string }) {
  const { customer, mutate, refetch } = createCustomer(() => props.caseId);
  return (
    <section class="customer" aria-label="Customer" data-testid="customer-panel">
      <h3>Customer</h3>
      <Loadable error={customer.error} loading={customer.loading} value={customer()} failure="Could not load the customer" notFound="No contact recorded." retry={() => void refetch()}>
        {(view) => <Body view={view()} caseId={props.caseId} saved={(v) => mutate(v)} reload={() => void refetch()} />}
      </Loadable>
    </section>
  );
}
