// The SLA badge of a case: how long until its next due time, or how long ago it was breached. The
// countdown moves with the shared 30-second clock; the colour is the server's verdict (its sweep
// decides breaches), and an `sla.updated` event changes it at once, before the list refetches.
import { Show, createComputed, createSignal, on } from 'solid-js';
import type { SlaView } from '../../../worker/protocol/api.ts';
import { now } from '../lib/format.ts';
import { onServerEvent } from '../realtime/live.ts';
import { badgeText } from '../lib/sla.ts';

export function SlaBadge(props: { caseId: string; sla: SlaView | null /** The case header's wording: says which target. */; long?: boolean }) {
  // What the last event said, until a fresh summary from the server replaces it.
  const [fromEvent, setFromEvent] = createSignal<SlaView | null>(null);
  const summaryKey = () => {
    const s = props.sla;
    return s ? `${s.state}|${s.dueAt}|${s.target}|${s.paused}` : '';
  };
  createComputed(on([summaryKey, () => props.caseId], () => setFromEvent(null), { defer: true }));

  onServerEvent((event) => {
    if (event.type !== 'sla.updated' || event.caseId !== props.caseId) return;
    // The sweep never raises on a paused case, so the clock the event speaks of is running.
    setFromEvent({ state: event.state, dueAt: event.dueAt, target: event.target, paused: false });
  });

  const text = () => badgeText(fromEvent() ?? props.sla, now());

  return (
    <Show when={text()}>
      {(t) => (
        <span class={`badge sla sla-${t().state}`} classList={{ 'sla-was-breached': t().state === 'paused' && t().breached }} data-testid="sla-badge" data-state={t().state} title={t().title}>
          <Show when={props.long} fallback={<span class="sr-only">{`${t().subject}: `}</span>}>
            {`${t().subject} `}
          </Show>
          {t().label}
        </span>
      )}
    </Show>
  );
}
