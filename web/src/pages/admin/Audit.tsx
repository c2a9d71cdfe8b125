// The audit log (#/admin/audit): every administrative change, newest first, with who made it and
// each changed setting before and after.
//
// data-testids: admin-audit (the page), audit-filter (select: all, mailbox, agent, setup), audit-row
// (one change; data-entity, data-action), audit-more (button for the next page).
import { For, Show, createSignal, onMount } from 'solid-js';
import { AUDIT_ENTITIES, type AuditEntity, type AuditEntry } from '../../../../worker/protocol/admin.ts';
import { errorMessage } from '../../api/errors.ts';
import { formatDate } from '../../lib/format.ts';
import { listAudit } from '../../api/admin.ts';

const PAGE = 50;

/** Values as short text: templates and lists are JSON, long ones cut. */
function shown(v: unknown): string {
  if (v === null || v === undefined) return '—';
  const text = typeof v === 'string' ? v : JSON.stringify(v);
  return text.length > 160 ? `${text.slice(0, 157)}…` : text;
}

export function Audit() {
  document.title = 'Audit log · edgecase';
  const [entity, setEntity] = createSignal<AuditEntity | ''>('');
  const [items, setItems] = createSignal<AuditEntry[]>([]);
  const [cursor, setCursor] = createSignal<string | null>(null);
  const [loading, setLoading] = createSignal(false);
  const [failure, setFailure] = createSignal<string | null>(null);

  async function load(more: boolean): Promise<void> {
    setLoading(true);
    setFailure(null);
    try {
      const page = await listAudit({ entity: entity() || undefined, cursor: more ? cursor() : null, limit: PAGE });
      setItems((prev) => (more ? [...prev, ...page.items] : page.items));
      setCursor(page.nextCursor);
    } catch (err) {
      setFailure(errorMessage(err));
    } finally {
      setLoading(false);
    }
  }
  onMount(() => void load(false));

  return (
    <div data-testid="admin-audit">
      <h2>Audit log</h2>
      <div class="admin-actions">
        <label>
          Show{' '}
          <select
            data-testid="audit-filter"
            value={entity()}
            onChange={(e) => {
              setEntity(e.currentTarget.value as AuditEntity | '');
              void load(false);
            }}
          >
            <option value="">all changes</option>
            <For each={AUDIT_ENTITIES}>{(e) => <option value={e}>{e}</option>}</For>
          </select>
        </label>
      </div>
      <Show when={failure()}>
        <div class="error" role="alert">
          <p>Could not load the audit log: {failure()}</p>
        </div>
      </Show>
      <Show when={items().length > 0} fallback={<p class="empty">{loading() ? 'Loading…' : 'No changes recorded yet.'}</p>}>
        <table class="admin-table">
          <thead>
            <tr>
              <th>When</th>
              <th>Who</th>
              <th>What</th>
              <th>Changes</th>
            </tr>
          </thead>
          <tbody>
            <For each={items()}>
              {(row) => (
                <tr data-testid="audit-row" data-entity={row.entity} data-action={row.action}>
                  <td>{formatDate(row.at)}</td>
                  <td>{row.actorName ?? (row.actor === 'local' ? 'local (no sign-in)' : row.actor)}</td>
                  <td>
                    {row.entity} {row.action}
                    <div class="muted">{row.entityId}</div>
                  </td>
                  <td>
                    <ul class="changes">
                      <For each={Object.entries(row.changes)}>
                        {([field, pair]) => (
                          <li>
                            <strong>{field}</strong>:{' '}
                            <Show when={pair[0] !== null && pair[0] !== undefined}>
                              <span class="before">{shown(pair[0])}</span> →{' '}
                            </Show>
                            <span>{shown(pair[1])}</span>
                          </li>
                        )}
                      </For>
                    </ul>
                  </td>
                </tr>
              )}
            </For>
          </tbody>
        </table>
      </Show>
      <Show when={cursor()}>
        <div class="admin-actions">
          <button type="button" data-testid="audit-more" disabled={loading()} onClick={() => void load(true)}>
            Older changes
          </button>
        </div>
      </Show>
    </div>
  );
}
