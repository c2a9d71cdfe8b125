// Admin → Teams: create, rename, choose the assign mode, set the members (an agent may be in several
// teams), delete. Each change is sent at once and the team shown as the server answers it.
import { For, Show, createResource, createSignal } from 'solid-js';
import { ASSIGN_MODES } from '../../../../worker/protocol/admin/teams.ts';
import type { AssignMode, TeamView } from '../../../../worker/protocol/teams.ts';
import { getAssignables } from '../../api/assign.ts';
import { errorMessage } from '../../api/errors.ts';
import { createTeam, deleteTeam, listTeams, setTeamMembers, updateTeam } from '../../api/teams.ts';

const MODE_LABEL: Record<AssignMode, string> = {
  'round-robin': 'Round-robin',
  'least-open': 'Fewest open cases (connected agents)',
  off: "Off (the team's queue)",
};

export function Teams() {
  const [teams, { mutate, refetch }] = createResource(listTeams);
  const [people] = createResource(getAssignables);
  const [error, setError] = createSignal<string | null>(null);
  const [name, setName] = createSignal('');

  async function run(what: string, fn: () => Promise<unknown>): Promise<void> {
    setError(null);
    try {
      await fn();
    } catch (err) {
      setError(`Could not ${what}: ${errorMessage(err)}`);
      void refetch();
    }
  }

  const replace = (t: TeamView) => mutate((all) => (all ?? []).map((x) => (x.id === t.id ? t : x)));

  return (
    <section class="admin-teams" data-testid="admin-teams">
      <h2>Teams</h2>
      <p class="muted">A case given to a team gets its agent by the team's mode. A mailbox's default team does the same for its new cases.</p>
      <form
        class="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          const n = name().trim();
          if (!n) return;
          void run('create the team', async () => {
            const t = await createTeam(n, 'round-robin');
            mutate((all) => [...(all ?? []), t].sort((a, b) => a.name.localeCompare(b.name)));
            setName('');
          });
        }}
      >
        <input type="text" data-testid="team-new-name" placeholder="New team name" aria-label="New team name" value={name()} onInput={(e) => setName(e.currentTarget.value)} maxLength={60} />
        <button type="submit" data-testid="team-create">
          Create team
        </button>
      </form>
      <Show when={error()}>
        <p class="error" role="alert">
          {error()}
        </p>
      </Show>
      <table class="admin-table">
        <thead>
          <tr>
            <th>Name</th>
            <th>Assign mode</th>
            <th>Members</th>
            <th />
          </tr>
        </thead>
        <tbody>
          <For
            each={teams.latest ?? []}
            fallback={
              <tr>
                <td colSpan={4} class="muted">
                  No teams yet.
                </td>
              </tr>
            }
          >
            {(t) => (
              <tr data-testid="team-row" data-team-id={t.id}>
                <td>
                  <input
                    type="text"
                    aria-label={`Name of ${t.name}`}
                    value={t.name}
                    maxLength={60}
                    onChange={(e) => {
                      const next = e.currentTarget.value.trim();
                      if (next && next !== t.name) void run('rename the team', async () => replace(await updateTeam(t.id, { name: next })));
                    }}
                  />
                </td>
                <td>
                  <select
                    aria-label={`Assign mode of ${t.name}`}
                    onChange={(e) => void run('change the mode', async () => replace(await updateTeam(t.id, { assignMode: e.currentTarget.value as AssignMode })))}
                  >
                    <For each={ASSIGN_MODES}>
                      {(m) => (
                        <option value={m} selected={m === t.assignMode}>
                          {MODE_LABEL[m]}
                        </option>
                      )}
                    </For>
                  </select>
                </td>
                <td>
                  <For each={people.latest?.agents ?? []}>
                    {(a) => (
                      <label class="member">
                        <input
                          type="checkbox"
                          checked={t.memberIds.includes(a.id)}
                          onChange={(e) => {
                            const on = e.currentTarget.checked;
                            const ids = on ? [...t.memberIds, a.id] : t.memberIds.filter((x) => x !== a.id);
                            void run('change the members', async () => replace(await setTeamMembers(t.id, ids)));
                          }}
                        />{' '}
                        {a.name}
                      </label>
                    )}
                  </For>
                </td>
                <td>
                  <button
                    type="button"
                    class="link-button"
                    onClick={() => {
                      if (!confirm(`Delete the team ${t.name}? Its cases keep their assignees and leave the team.`)) return;
                      void run('delete the team', async () => {
                        await deleteTeam(t.id);
                        mutate((all) => (all ?? []).filter((x) => x.id !== t.id));
                      });
                    }}
                  >
                    Delete
                  </button>
                </td>
              </tr>
            )}
          </For>
        </tbody>
      </table>
    </section>
  );
}
