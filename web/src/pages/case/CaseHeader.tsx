// The case's header: number and subject; status and priority, each shown and changeable (changed at
// once, undone if refused); the SLA badge; the assignee and team, "assign to me" and the picker of any
// agent or team (components/AssignPicker.tsx); when it was opened; its
// tags and snooze (CaseWork.tsx).
import { For, Show } from 'solid-js';
import type { CasePriority, CaseStatus, CaseSummary } from '../../../../worker/protocol/api.ts';
import { ActionNotice } from '../../components/ActionNotice.tsx';
import { AssignPicker } from '../../components/AssignPicker.tsx';
import { SlaBadge } from '../../components/SlaBadge.tsx';
import { PRIORITY_LABELS, STATUS_LABELS, STATUS_ORDER, caseHref, formatDate } from '../../lib/format.ts';
import { assignTarget, changeCase, withPending } from '../../stores/caseActions.ts';
import { authMode as currentMode } from '../../stores/session.ts';
import { CaseWork } from './CaseWork.tsx';

const PRIORITY_ORDER = Object.keys(PRIORITY_LABELS) as CasePriority[];

export function CaseHeader(props: { case: CaseSummary }) {
  /** The case as shown: a change on its way shows at once (stores/caseActions.ts). */
  const c = () => withPending(props.case);

  function changeStatus(select: HTMLSelectElement): void {
    const next = select.value as CaseStatus;
    if (next !== c().status) void changeCase(c(), { status: next }, 'change the status of');
  }

  function changePriority(select: HTMLSelectElement): void {
    const next = select.value as CasePriority;
    if (next !== c().priority) void changeCase(c(), { priority: next }, 'change the priority of');
  }

  return (
    <header class="case-head">
      <h2 class="case-title">
        <span class="num">#{c().number}</span> <span class="subject">{c().subject || '(no subject)'}</span>
      </h2>
      <div class="case-meta">
        <span class={`badge status status-${c().status}`} data-testid="case-status">
          {STATUS_LABELS[c().status]}
        </span>
        <label class="field">
          Status{' '}
          <select data-testid="status-select" onChange={(e) => changeStatus(e.currentTarget)}>
            <For each={STATUS_ORDER}>
              {(s) => (
                <option value={s} selected={s === c().status}>
                  {STATUS_LABELS[s]}
                </option>
              )}
            </For>
          </select>
        </label>
        <span class={`badge prio prio-${c().priority}`} title="Priority" data-testid="case-priority">
          {PRIORITY_LABELS[c().priority]}
        </span>
        <label class="field">
          Priority{' '}
          <select data-testid="priority-select" onChange={(e) => changePriority(e.currentTarget)}>
            <For each={PRIORITY_ORDER}>
              {(p) => (
                <option value={p} selected={p === c().priority}>
                  {PRIORITY_LABELS[p]}
                </option>
              )}
            </For>
          </select>
        </label>
        <SlaBadge caseId={c().id} sla={c().sla} long />
        <span class="muted" data-testid="case-assignee">
          {c().assignee ? `Assigned to ${c().assignee?.name}` : 'Unassigned'}
          {c().team ? ` · Team ${c().team?.name}` : ''}
        </span>
        <AssignPicker case={c()} compact />
        <Show when={assignTarget()}>
          {(me) => (
            <Show when={c().assignee?.id !== me().id}>
              <button type="button" class="link-button" data-testid="assign-me" title="Shortcut: a" onClick={() => void changeCase(c(), { assignee: me() }, 'assign')}>
                {/* Open mode has no "me": say whom it names. */}
                {currentMode() === 'open' ? `Assign to ${me().name}` : 'Assign to me'}
              </button>
            </Show>
          )}
        </Show>
        <span class="muted" title={formatDate(c().createdAt)}>
          Opened {formatDate(c().createdAt)}
        </span>
        <Show when={c().linkedCaseId}>
          {(id) => (
            <a href={caseHref(id())} class="muted">
              linked case
            </a>
          )}
        </Show>
      </div>
      <CaseWork case={props.case} />
      <ActionNotice />
    </header>
  );
}
