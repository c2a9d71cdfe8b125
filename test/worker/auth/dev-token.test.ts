// /api/dev/* in every mode: open mode serves it to this machine; any other mode only to the holder of
// the dev token `npm start` gives the wrangler dev it starts, and only the seed routes.
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { verifyPassword } from '../../../worker/auth/password.ts';
import { agents } from '../../../worker/db/schema.ts';
import { seeded } from '../helpers.ts';
import { ACCESS, call, PASSWORD } from './helpers.ts';

const TOKEN = 'd'.repeat(43);

function seed(token: string | null, body?: unknown, headers: Record<string, string> = {}): RequestInit {
  return {
    method: 'POST',
    headers: { ...(token ? { 'X-Edgecase-Dev-Token': token } : {}), ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  };
}

describe('the dev token', () => {
  it('opens the seed in password and access mode, from this machine', async () => {
    await seeded();
    for (const mode of [PASSWORD, ACCESS, { AUTH_MODE: 'misspelt' }]) {
      const res = await call('/api/dev/seed', seed(TOKEN, {}), { ...mode, EDGECASE_DEV_TOKEN: TOKEN });
      expect(res.status, mode.AUTH_MODE).toBe(200);
      expect(await res.json()).toMatchObject({ mailbox: 'support@acme.test', authMode: mode.AUTH_MODE === 'misspelt' ? null : mode.AUTH_MODE });
      expect((await call('/api/dev/seed/finish', seed(TOKEN, {}), { ...mode, EDGECASE_DEV_TOKEN: TOKEN })).status).toBe(200);
    }
  });

  it('is 404 without it, with a wrong one, or when the Worker has none or too short a one', async () => {
    await seeded();
    expect((await call('/api/dev/seed', seed(null), { ...PASSWORD, EDGECASE_DEV_TOKEN: TOKEN })).status).toBe(404);
    expect((await call('/api/dev/seed', seed(`${TOKEN.slice(1)}x`), { ...PASSWORD, EDGECASE_DEV_TOKEN: TOKEN })).status).toBe(404);
    expect((await call('/api/dev/seed', seed(TOKEN), PASSWORD)).status).toBe(404);
    expect((await call('/api/dev/seed', seed('short'), { ...PASSWORD, EDGECASE_DEV_TOKEN: 'short' })).status).toBe(404);
    expect((await call('/api/dev/seed', seed(''), { ...PASSWORD, EDGECASE_DEV_TOKEN: '' })).status).toBe(404);
  });

  it('is refused from anywhere but this machine', async () => {
    await seeded();
    const res = await call('https://helpdesk.example.com/api/dev/seed', seed(TOKEN, {}, { 'CF-Connecting-IP': '203.0.113.7' }), { ...PASSWORD, EDGECASE_DEV_TOKEN: TOKEN });
    expect(res.status).toBe(403);
  });

  it('opens no outbox: sent mail is listed in open mode only', async () => {
    await seeded();
    const headers = { headers: { 'X-Edgecase-Dev-Token': TOKEN } };
    expect((await call('/api/dev/outbox', headers, { ...PASSWORD, EDGECASE_DEV_TOKEN: TOKEN })).status).toBe(404);
    expect((await call('/api/dev/outbox/out_x/raw', headers, { ...PASSWORD, EDGECASE_DEV_TOKEN: TOKEN })).status).toBe(404);
    expect((await call('/api/dev/outbox')).status).toBe(200);
  });
});

describe('the demo password', () => {
  it('is given to demo agents without one, and one set before is kept', async () => {
    const deps = await seeded();
    await deps.db.update(agents).set({ passwordHash: 'kept' }).where(eq(agents.id, 'agt_ben'));
    const res = await call('/api/dev/seed', seed(TOKEN, { demoPassword: 'demo-password-1' }), { ...PASSWORD, EDGECASE_DEV_TOKEN: TOKEN });
    expect(await res.json()).toMatchObject({ passwordsSet: ['agt_ada'] });
    const rows = await deps.db.select({ id: agents.id, hash: agents.passwordHash }).from(agents);
    const ada = rows.find((r) => r.id === 'agt_ada')!.hash!;
    expect(await verifyPassword('demo-password-1', ada)).toBe(true);
    expect(rows.find((r) => r.id === 'agt_ben')!.hash).toBe('kept');
    // Again: nothing left to set.
    const again = await call('/api/dev/seed', seed(TOKEN, { demoPassword: 'demo-password-2' }), { ...PASSWORD, EDGECASE_DEV_TOKEN: TOKEN });
    expect(await again.json()).toMatchObject({ passwordsSet: [] });
  });

  it('a body the seed does not know is a 400', async () => {
    await seeded();
    expect((await call('/api/dev/seed', seed(null, { demoPassword: 'short' }))).status).toBe(400);
    expect((await call('/api/dev/seed', seed(null, { other: 1 }))).status).toBe(400);
  });
});
