// One row of the case list, placed by the virtual scroll (its index times the row height).
import { Show } from 'solid-js';
import type { CaseSummary } from '../../../../worker/protocol/api.ts';
import { AssignPicker } from '../../components/AssignPicker.tsx';
import { RowPresence } from '../../components/Presence.tsx';
import { SlaBadge } from '../../components/SlaBadge.tsx';
import { TagChips } from '../../components/TagChips.tsx';
import { PRIORITY_LABELS, STATUS_LABELS, caseHref, formatDate, now, relativeTime } from '../../lib/format.ts';
import { initials } from '../../realtime/presence.ts';
import { withPending } from '../../stores/caseActions.ts';
import { isChosen } from './bulkSelection.ts';
import { selectedId, setSelectedId } from './selection.ts';

/** `onChoose` toggles the row for a bulk action (`range`: shift held, from the last one toggled). */
export function CaseRow(props: { case: CaseSummary; index: number; setSize: number; rowHeight: number; onChoose: (id: string, range: boolean) => void }) {
  const c = props.case;
  // The row as shown: a change on its way (stores/caseActions.ts) shows at once.
  const v = () => withPending(c);
  return (
    <li
      data-testid="case-row"
      data-case-id={c.id}
      aria-posinset={props.index + 1}
      aria-setsize={props.setSize}
      classList={{ row: true, selected: selectedId() === c.id, chosen: isChosen(c.id) }}
      style={{ transform: `translateY(${props.index * props.rowHeight}px)`, height: `${props.rowHeight}px` }}
    >
      <input
        type="checkbox"
        class="row-choose"
        data-testid="row-choose"
        aria-label={`Choose #${c.number} for a bulk action`}
        checked={isChosen(c.id)}
        onClick={(e) => {
          e.preventDefault();
          props.onChoose(c.id, e.shiftKey);
        }}
      />
      <a href={caseHref(c.id)} class="row-link" onFocus={() => setSelectedId(c.id)} onClick={() => setSelectedId(c.id)}>
        <span class="num">#{c.number}</span>
        <span class="subject-cell">
          <span class="subject">{c.subject || '(no subject)'}</span>
          <TagChips tags={c.tags} />
          <Show when={c.snooze}>
            <span class="badge snoozed" data-testid="row-snoozed" title={c.snooze?.until ? `until ${formatDate(c.snooze.until)}` : 'until the customer replies'}>
              snoozed
            </span>
          </Show>
        </span>
        <span class="contact" title={c.contact?.email ?? ''}>
          {c.contact ? c.contact.name || c.contact.email : 'unknown sender'}
          <Show when={c.contact?.name && c.contact.name !== c.contact.email}>
            <span class="email"> {c.contact?.email}</span>
          </Show>
        </span>
        <span class="meta">
          <RowPresence caseId={c.id} />
          <Show when={v().assignee}>
            {(a) => (
              <span class="avatar assignee" data-testid="row-assignee" data-assignee-id={a().id} title={`Assigned to ${a().name}`}>
                {initials(a().name)}
              </span>
            )}
          </Show>
          <Show when={v().priority === 'high' || v().priority === 'urgent'}>
            <span class={`badge prio prio-${v().priority}`}>{PRIORITY_LABELS[v().priority]}</span>
          </Show>
          <SlaBadge caseId={c.id} sla={c.sla} />
          <span class={`badge status status-${v().status}`}>{STATUS_LABELS[v().status]}</span>
        </span>
        <time class="time" datetime={new Date(c.lastMessageAt).toISOString()} title={formatDate(c.lastMessageAt)}>
          {relativeTime(c.lastMessageAt, now())}
        </time>
        <span class="count" title={`${c.messageCount} message${c.messageCount === 1 ? '' : 's'}`}>
          {c.messageCount} msg{c.messageCount === 1 ? '' : 's'}
        </span>
      </a>
      <AssignPicker case={v()} inRow />
    </li>
  );
}
