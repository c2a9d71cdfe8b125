// The admin area (#/admin/…): mailbox settings, agents, "connect your domain", the audit log, importing
// old mail. Only for admins; in open mode (a developer's own machine) whoever sits there is one.
//
// data-testids: admin (the area), admin-nav-mailboxes, admin-nav-agents, admin-nav-setup,
// admin-nav-teams, admin-nav-tags, admin-nav-audit, admin-nav-import (the sub-navigation), admin-forbidden (shown to agents who are not admins).
import { Match, Show, Switch } from 'solid-js';
import type { Route } from '../../lib/route.ts';
import { currentSession } from '../../stores/session.ts';
import { Agents } from './Agents.tsx';
import { Audit } from './Audit.tsx';
import { Import } from './Import.tsx';
import { Mailboxes } from './Mailboxes.tsx';
import { Setup } from './Setup.tsx';
import { Tags } from './Tags.tsx';
import { Teams } from './Teams.tsx';
import './admin.css';

export type AdminRoute = Extract<Route['name'], `admin-${string}`>;

const PAGES: Array<{ route: AdminRoute; href: string; label: string; testid: string }> = [
  { route: 'admin-mailboxes', href: '#/admin/mailboxes', label: 'Mailboxes', testid: 'admin-nav-mailboxes' },
  { route: 'admin-agents', href: '#/admin/agents', label: 'Agents', testid: 'admin-nav-agents' },
  { route: 'admin-setup', href: '#/admin/setup', label: 'Connect your domain', testid: 'admin-nav-setup' },
  { route: 'admin-teams', href: '#/admin/teams', label: 'Teams', testid: 'admin-nav-teams' },
  { route: 'admin-tags', href: '#/admin/tags', label: 'Tags', testid: 'admin-nav-tags' },
  { route: 'admin-audit', href: '#/admin/audit', label: 'Audit log', testid: 'admin-nav-audit' },
  { route: 'admin-import', href: '#/admin/import', label: 'Import old mail', testid: 'admin-nav-import' },
];

/** Whether the signed-in agent may use the admin pages (the API enforces the same). */
export function isAdmin(): boolean {
  const s = currentSession();
  return !!s && (s.mode === 'open' || s.role === 'admin');
}

export function AdminPage(props: { page: AdminRoute }) {
  return (
    <section class="admin" data-testid="admin">
      <Show
        when={isAdmin()}
        fallback={
          <p class="empty" data-testid="admin-forbidden">
            The admin pages are for admins. Ask an admin to change a setting for you.
          </p>
        }
      >
        <nav class="admin-nav" aria-label="Administration">
          {PAGES.map((p) => (
            <a href={p.href} data-testid={p.testid} classList={{ current: props.page === p.route }} aria-current={props.page === p.route ? 'page' : undefined}>
              {p.label}
            </a>
          ))}
        </nav>
        <Switch>
          <Match when={props.page === 'admin-mailboxes'}>
            <Mailboxes />
          </Match>
          <Match when={props.page === 'admin-agents'}>
            <Agents />
          </Match>
          <Match when={props.page === 'admin-setup'}>
            <Setup />
          </Match>
          <Match when={props.page === 'admin-teams'}>
            <Teams />
          </Match>
          <Match when={props.page === 'admin-tags'}>
            <Tags />
          </Match>
          <Match when={props.page === 'admin-audit'}>
            <Audit />
          </Match>
          <Match when={props.page === 'admin-import'}>
            <Import />
          </Match>
        </Switch>
      </Show>
    </section>
  );
}
