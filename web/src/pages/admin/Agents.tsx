// Agents (#/admin/agents): who works the inbox, their role, team and availability (round-robin skips
// agents who are away), notification choices; invite, edit, deactivate (their cases are handed to
// another agent or left unassigned), reactivate, and, with password sign-in, set a password.
//
// data-testids: admin-agents (the page), agent-row (one agent; data-id, data-active), agent-edit,
// agent-deactivate, agent-reactivate, agent-password (buttons in a row), agent-form (the edit form,
// with agent-field-<name> inputs and agent-save), deactivate-form (with deactivate-reassign, a select,
// and deactivate-confirm), password-form (password-input, password-save), invite-form (invite-email,
// invite-name, invite-role, invite-team, invite-submit), agent-notice (what the last action did),
// agent-error (a refusal), agent-field-error (a message under a field).
import { For, Show, createResource, createSignal } from 'solid-js';
import type { AgentAdminView } from '../../../../worker/protocol/admin.ts';
import { listAgents, reactivateAgent } from '../../api/admin.ts';
import { errorMessage } from '../../api/errors.ts';
import { formatDate } from '../../lib/format.ts';
import { authMode } from '../../stores/session.ts';
import { DeactivateAgent, EditAgent, InviteAgent, SetPassword } from './AgentForms.tsx';

type Panel = { kind: 'edit' | 'deactivate' | 'password'; id: string } | null;

export function Agents() {
  document.title = 'Agents · edgecase';
  const [data, { refetch }] = createResource(listAgents);
  const [panel, setPanel] = createSignal<Panel>(null);
  const [notice, setNotice] = createSignal<string | null>(null);
  const [failure, setFailure] = createSignal<string | null>(null);

  const agents = () => (data.error ? [] : (data()?.items ?? []));
  const activeOthers = (id: string) => agents().filter((a) => a.active && a.id !== id);

  function open(kind: 'edit' | 'deactivate' | 'password', id: string): void {
    setNotice(null);
    setFailure(null);
    const p = panel();
    setPanel(p && p.kind === kind && p.id === id ? null : { kind, id });
  }

  async function done(message: string): Promise<void> {
    setPanel(null);
    setFailure(null);
    setNotice(message);
    await refetch();
  }

  async function reactivate(a: AgentAdminView): Promise<void> {
    try {
      await reactivateAgent(a.id);
      await done(`${a.name} is active again.`);
    } catch (err) {
      setFailure(errorMessage(err));
    }
  }

  return (
    <div data-testid="admin-agents">
      <h2>Agents</h2>
      <Show when={notice()}>
        <p class="admin-ok" role="status" data-testid="agent-notice">
          {notice()}
        </p>
      </Show>
      <Show when={failure()}>
        <div class="error" role="alert" data-testid="agent-error">
          <p>{failure()}</p>
        </div>
      </Show>
      <Show when={data.error}>
        <div class="error" role="alert">
          <p>Could not load the agents: {errorMessage(data.error)}</p>
          <button type="button" onClick={() => void refetch()}>
            Retry
          </button>
        </div>
      </Show>
      <Show when={!data.loading || data()} fallback={<p class="loading">Loading…</p>}>
        <table class="admin-table">
          <thead>
            <tr>
              <th>Agent</th>
              <th>Role</th>
              <th>Team</th>
              <th>Available</th>
              <th>Open cases</th>
              <th>Last round-robin case</th>
              <th />
            </tr>
          </thead>
          <tbody>
            <For each={agents()}>
              {(a) => (
                <>
                  <tr data-testid="agent-row" data-id={a.id} data-active={String(a.active)} classList={{ inactive: !a.active }}>
                    <td>
                      {a.name}
                      <div class="muted">{a.email}</div>
                      <Show when={!a.active}>
                        <span class="badge">deactivated</span>
                      </Show>
                    </td>
                    <td>{a.role}</td>
                    <td>{a.team ?? '—'}</td>
                    <td>{a.available ? 'yes' : 'away'}</td>
                    <td>{a.openCases}</td>
                    <td>{a.lastAssignedAt ? formatDate(a.lastAssignedAt) : '—'}</td>
                    <td>
                      <div class="admin-actions">
                        <button type="button" data-testid="agent-edit" onClick={() => open('edit', a.id)}>
                          Edit
                        </button>
                        <Show
                          when={a.active}
                          fallback={
                            <button type="button" data-testid="agent-reactivate" onClick={() => void reactivate(a)}>
                              Reactivate
                            </button>
                          }
                        >
                          <button type="button" data-testid="agent-deactivate" onClick={() => open('deactivate', a.id)}>
                            Deactivate
                          </button>
                        </Show>
                        <Show when={authMode() === 'password'}>
                          <button type="button" data-testid="agent-password" onClick={() => open('password', a.id)}>
                            {a.hasPassword ? 'New password' : 'Set password'}
                          </button>
                        </Show>
                      </div>
                    </td>
                  </tr>
                  <Show when={panel()?.id === a.id ? panel() : null}>
                    {(p) => (
                      <tr>
                        <td colSpan={7}>
                          <Show when={p().kind === 'edit'}>
                            <EditAgent agent={a} onDone={(m) => void done(m)} />
                          </Show>
                          <Show when={p().kind === 'deactivate'}>
                            <DeactivateAgent agent={a} others={activeOthers(a.id)} onDone={(m) => void done(m)} />
                          </Show>
                          <Show when={p().kind === 'password'}>
                            <SetPassword agent={a} onDone={(m) => void done(m)} />
                          </Show>
                        </td>
                      </tr>
                    )}
                  </Show>
                </>
              )}
            </For>
          </tbody>
        </table>
      </Show>
      <InviteAgent onDone={(m) => void done(m)} />
    </div>
  );
}
