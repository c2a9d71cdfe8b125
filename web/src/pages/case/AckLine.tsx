// An acknowledgement in the thread: one line ("Acknowledgement sent to x"), its delivery per
// recipient (queued, sent, bounced with the report's reason …), and its text on demand. It is mail we
// sent, not a message of the case, so it is folded like the other lines the system writes.
import { Show, createSignal } from 'solid-js';
import type { AckView } from '../../../../worker/protocol/api.ts';
import { DeliveryList } from '../../components/Deliveries.tsx';
import { formatDate, isoDate } from '../../lib/format.ts';

const ACK_HINTS: Record<AckView['kind'], string> = {
  'ack-create': 'The automatic answer to the message that opened the case',
  'ack-update': 'The automatic answer to a later message of the customer',
};

export function AckLine(props: { ack: AckView }) {
  const a = () => props.ack;
  const [open, setOpen] = createSignal(false);
  const recipients = () =>
    a()
      .deliveries.map((d) => d.recipient)
      .join(', ') || 'nobody';
  return (
    <div class="system-line ack-line" role="note" data-testid="ack-line" data-outbox-id={a().outboxId} data-kind={a().kind} title={ACK_HINTS[a().kind]}>
      <span class="badge kind kind-ack">acknowledgement</span>
      <span class="system-text" data-testid="ack-summary">
        Acknowledgement sent to {recipients()}
      </span>
      <button type="button" class="link-button" data-testid="ack-toggle" aria-expanded={open()} onClick={() => setOpen(!open())}>
        {open() ? 'Hide text' : 'Show text'}
      </button>
      <time class="date" datetime={isoDate(a().createdAt)} title={formatDate(a().createdAt)}>
        {formatDate(a().createdAt)}
      </time>
      <DeliveryList deliveries={a().deliveries} />
      <Show when={open()}>
        <div class="ack-body" data-testid="ack-text">
          <p class="ack-subject">{a().subject}</p>
          <pre class="body">{a().text || '(the text is kept only with the raw mail)'}</pre>
        </div>
      </Show>
    </div>
  );
}
