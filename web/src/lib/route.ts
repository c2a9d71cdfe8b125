// A small hash router: `#/` is the inbox, `#/cases/<id>` a case, `#/outbox` the sent mail (local mode),
// `#/reports` the SLA report, `#/snippets` the canned replies, `#/admin/{mailboxes,agents,setup,teams,tags,audit,import}` the admin pages (`#/admin`: mailboxes).
import { createSignal } from 'solid-js';
import type { ListView } from '../api/cases.ts';

export type Route =
  | { name: 'inbox' }
  | { name: 'case'; id: string }
  | { name: 'outbox' }
  | { name: 'reports' }
  | { name: 'snippets' }
  | { name: 'admin-mailboxes' }
  | { name: 'admin-agents' }
  | { name: 'admin-setup' }
  | { name: 'admin-teams' }
  | { name: 'admin-tags' }
  | { name: 'admin-audit' }
  | { name: 'admin-import' };

function parse(hash: string): Route {
  if (/^#\/outbox\/?$/.test(hash)) return { name: 'outbox' };
  if (/^#\/reports\/?$/.test(hash)) return { name: 'reports' };
  if (/^#\/snippets\/?$/.test(hash)) return { name: 'snippets' };
  const admin = /^#\/admin(?:\/(mailboxes|agents|setup|teams|tags|audit|import))?\/?$/.exec(hash);
  if (admin) return { name: `admin-${(admin[1] ?? 'mailboxes') as 'mailboxes' | 'agents' | 'setup' | 'teams' | 'tags' | 'audit' | 'import'}` };
  const m = /^#\/cases\/([^/?#]+)/.exec(hash);
  if (m?.[1]) {
    try {
      return { name: 'case', id: decodeURIComponent(m[1]) };
    } catch {
      return { name: 'inbox' };
    }
  }
  return { name: 'inbox' };
}

const same = (a: Route, b: Route) => a.name === b.name && (a.name !== 'case' || (b.name === 'case' && a.id === b.id));
const [route, setRoute] = createSignal<Route>(parse(location.hash), { equals: same });
window.addEventListener('hashchange', () => {
  window.scrollTo(0, 0);
  setRoute(parse(location.hash));
});

export { route };

/** The open case's id, or undefined on the inbox. */
export const openCaseId = (): string | undefined => {
  const r = route();
  return r.name === 'case' ? r.id : undefined;
};

export function navigate(hash: string): void {
  location.hash = hash;
}

/** The inbox's view tabs: a case list per status group, and held mail. */
export type InboxTab = ListView | 'held';

// The chosen tab is kept here rather than in the hash, so that it survives a visit to a case.
const [inboxTab, setInboxTab] = createSignal<InboxTab>('active');
export { inboxTab, setInboxTab };

/** Shows the inbox with the held mail tab open (from anywhere, e.g. the flood banner). */
export function openHeldMail(): void {
  setInboxTab('held');
  navigate('#/');
}
