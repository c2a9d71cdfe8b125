// The demo workspace `npm start` creates: two agents and a support mailbox. Idempotent (fixed ids,
// INSERT OR IGNORE), so running it on every start changes nothing the second time.
import { agents, mailboxes, workspaces } from './schema.ts';
import type { Db } from '../deps.ts';

export const DEMO = {
  workspaceId: 'ws_demo',
  mailboxId: 'mbx_support',
  mailbox: 'support@acme.test',
  agents: [
    { id: 'agt_ada', email: 'ada@acme.test', name: 'Ada Admin', role: 'admin' as const, tokenCode: 'ada001' },
    { id: 'agt_ben', email: 'ben@acme.test', name: 'Ben Agent', role: 'agent' as const, tokenCode: 'ben001' },
  ],
} as const;

export async function seedDemo(db: Db, now: number): Promise<void> {
  await db.batch([
    db.insert(workspaces).values({ id: DEMO.workspaceId, name: 'Acme Support', slug: 'acme', createdAt: now }).onConflictDoNothing(),
    ...DEMO.agents.map((a) => db.insert(agents).values({ ...a, workspaceId: DEMO.workspaceId, createdAt: now }).onConflictDoNothing()),
    db
      .insert(mailboxes)
      .values({
        id: DEMO.mailboxId,
        workspaceId: DEMO.workspaceId,
        address: DEMO.mailbox,
        displayName: 'Acme Support',
        defaultAssigneeId: null,
        // Mail delivered through wrangler's local email handler carries no Authentication-Results from
        // Cloudflare, so nothing local could be verified; a production mailbox keeps `token-only`.
        unverifiedPolicy: 'allow',
        createdAt: now,
        updatedAt: now,
      })
      .onConflictDoNothing(),
  ]);
}
