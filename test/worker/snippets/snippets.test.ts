// Canned replies through the API: what saving refuses (unknown placeholders, a shortcut someone
// sees already), who may change what, and filling one for a case (escaped for HTML, never a header).
import { env } from 'cloudflare:test';
import { and, eq } from 'drizzle-orm';
import PostalMime from 'postal-mime';
import { describe, expect, it } from 'vitest';
import { auditLog, cases, contacts, outbox } from '../../../worker/db/schema.ts';
import type { Deps } from '../../../worker/deps.ts';
import { receiveEmail } from '../../../worker/ingest/receive.ts';
import { outgoingMime } from '../../../worker/mail/outbox.ts';
import type { ApiError, MessageView } from '../../../worker/protocol/api.ts';
import type { RenderedSnippet, SnippetView } from '../../../worker/protocol/snippets.ts';
import { renderSnippet } from '../../../worker/snippets/plan.ts';
import { call, issuesOf, json, PASSWORD, send, signedIn } from '../admin/helpers.ts';
import { incoming, mail, seeded } from '../helpers.ts';

type Cookies = { ada: string; ben: string };

const as = (cookie: string, path: string, body: unknown, method = 'POST') => send(path, body, method, PASSWORD, { Cookie: cookie });
const list = async (cookie: string) => (await json<{ items: SnippetView[] }>(await call('/api/snippets', { headers: { Cookie: cookie } }, PASSWORD))).items;
const create = async (cookie: string, body: unknown) => json<SnippetView>(await as(cookie, '/api/snippets', body), 201);

async function refusal(res: Response, status: number): Promise<string> {
  const body = (await res.json()) as ApiError;
  expect(res.status, JSON.stringify(body)).toBe(status);
  return body.error.message;
}

async function setup(): Promise<{ deps: Deps; who: Cookies }> {
  const deps = await seeded();
  return { deps, who: await signedIn(deps) };
}

describe('saving a snippet', () => {
  it('refuses an unknown placeholder and an open {{, naming them, and writes nothing', async () => {
    const { deps, who } = await setup();
    const unknown = await refusal(await as(who.ben, '/api/snippets', { name: 'Refund', body: 'Hi {{customer.first_name}}, {{order.total}} is back.' }), 400);
    expect(unknown).toContain('{{order.total}} is not a placeholder');
    expect(unknown).toContain('{{customer.first_name}}');
    expect(await refusal(await as(who.ben, '/api/snippets', { name: 'Open', body: 'Hi {{customer.name' }), 400)).toContain('"{{" has no matching "}}"');
    const kept = await create(who.ben, { name: 'Fine', body: 'Hi {{ customer.name }}' });
    expect(await refusal(await as(who.ben, `/api/snippets/${kept.id}`, { body: 'Now {{agent.email}}' }, 'PATCH'), 400)).toContain('{{agent.email}}');
    expect((await issuesOf(await as(who.ben, '/api/snippets', { name: 'Bad', shortcut: 'Has Space', body: 'x' }))).shortcut).toEqual([
      'shortcut must be 1 to 32 lower-case letters, digits or hyphens',
    ]);
    expect((await list(who.ben)).map((s) => s.body)).toEqual(['Hi {{ customer.name }}']);
    expect(await deps.db.select().from(auditLog).where(eq(auditLog.entity, 'snippet'))).toHaveLength(1);
  });

  it('refuses a shortcut the agent already sees; another agent may use it for their own', async () => {
    const { who } = await setup();
    await create(who.ada, { name: 'Shared refund', shortcut: 'refund', body: 'We refunded you.', shared: true });
    const mine = await create(who.ben, { name: 'Mine', shortcut: ';thanks', body: 'Thanks, {{customer.first_name}}!' });
    expect(mine.shortcut).toBe('thanks');
    expect(await refusal(await as(who.ben, '/api/snippets', { name: 'Also refund', shortcut: 'refund', body: 'x' }), 409)).toContain('shared snippet "Shared refund"');
    expect(await refusal(await as(who.ben, `/api/snippets/${mine.id}`, { shortcut: 'refund' }, 'PATCH'), 409)).toContain(';refund is taken');
    // Ada's personal ;thanks is hers alone, but a shared ;thanks would sit next to Ben's.
    await create(who.ada, { name: 'Ada thanks', shortcut: 'thanks', body: 'Cheers' });
    expect(await refusal(await as(who.ada, '/api/snippets', { name: 'Shared thanks', shortcut: 'thanks', body: 'x', shared: true }), 409)).toContain("an agent's personal snippet");
  });
});

describe('who may change a snippet', () => {
  it('agents use shared ones but cannot write them; nobody sees or changes another agent’s personal ones', async () => {
    const { deps, who } = await setup();
    const shared = await create(who.ada, { name: 'Welcome', body: 'Welcome to {{mailbox.name}}.', shared: true });
    const adas = await create(who.ada, { name: 'Ada only', body: 'Private' });
    expect(await refusal(await as(who.ben, '/api/snippets', { name: 'Try', body: 'x', shared: true }), 400)).toContain('only admins create shared');
    expect(await refusal(await as(who.ben, `/api/snippets/${shared.id}`, { name: 'Mine now' }, 'PATCH'), 400)).toContain('only admins change shared');
    expect(await refusal(await as(who.ben, `/api/snippets/${shared.id}`, {}, 'DELETE'), 400)).toContain('only admins change shared');
    expect(await refusal(await as(who.ben, `/api/snippets/${adas.id}`, { name: 'Stolen' }, 'PATCH'), 404)).toBe('snippet not found');
    expect(await refusal(await as(who.ben, `/api/snippets/${adas.id}`, {}, 'DELETE'), 404)).toBe('snippet not found');
    expect((await list(who.ben)).map((s) => [s.name, s.shared, s.editable])).toEqual([['Welcome', true, false]]);
    expect((await list(who.ada)).map((s) => [s.name, s.shared, s.editable])).toEqual([
      ['Welcome', true, true],
      ['Ada only', false, true],
    ]);
    // The admin changes the shared one; each write left its audit row.
    expect((await json<SnippetView>(await as(who.ada, `/api/snippets/${shared.id}`, { name: 'Welcome!' }, 'PATCH'))).name).toBe('Welcome!');
    expect((await as(who.ada, `/api/snippets/${adas.id}`, {}, 'DELETE')).status).toBe(204);
    const audit = await deps.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.entity, 'snippet'), eq(auditLog.actor, 'agt_ada')));
    expect(audit.map((a) => a.action).sort()).toEqual(['create', 'create', 'delete', 'update']);
  });
});

describe('filling a snippet', () => {
  const facts = { caseNumber: 7, subject: 'Parcel <late>', customerName: 'Zoë "Z" O\'Neil & Co', customerEmail: 'zoe@example.com', mailboxName: 'Acme Support', agentName: 'Ben Agent' };

  it('fills every placeholder as plain text, and HTML-escapes the values in html mode', () => {
    const body = '{{customer.first_name}}/{{customer.name}}/{{customer.email}}/#{{case.number}} {{case.subject}}/{{agent.first_name}}/{{agent.name}}/{{mailbox.name}}';
    expect(renderSnippet(body, facts).text).toBe('Zoë/Zoë "Z" O\'Neil & Co/zoe@example.com/#7 Parcel <late>/Ben/Ben Agent/Acme Support');
    expect(renderSnippet('<p>{{customer.name}}: {{case.subject}}</p>', facts, 'html').text).toBe('<p>Zoë &#34;Z&#34; O&#39;Neil &#38; Co: Parcel &#60;late&#62;</p>');
    expect(renderSnippet('Hi {{customer.name}}', { ...facts, customerName: null })).toEqual({ text: 'Hi ', missing: ['customer.name'] });
  });

  it('a customer name with CR/LF stays on its line in the body: the sent mail gets no header from it', async () => {
    const { deps, who } = await setup();
    await receiveEmail(incoming(mail({ 'Message-ID': '<evil@example.com>' }, 'Hello')), deps);
    const kase = (await deps.db.select().from(cases).get())!;
    await deps.db.update(contacts).set({ name: 'Eve\r\nBcc: x@evil.test' }).where(eq(contacts.id, kase.contactId!));
    const s = await create(who.ben, { name: 'Hi', shortcut: 'hi', body: 'Hello {{customer.name}},\nyour case #{{case.number}} is with {{agent.first_name}}.' });
    const filled = await json<RenderedSnippet>(await as(who.ben, `/api/snippets/${s.id}/render`, { caseId: kase.id }));
    expect(filled.text).toBe(`Hello Eve Bcc: x@evil.test,\nyour case #${kase.number} is with Ben.`);
    expect(await refusal(await as(who.ben, `/api/snippets/${s.id}/render`, { caseId: 'case_nope' }), 404)).toBe('case not found');

    const sent = await json<MessageView>(await as(who.ben, `/api/cases/${kase.id}/replies`, { text: filled.text }), 201);
    const row = (await deps.db.select().from(outbox).where(eq(outbox.messageId, sent.id)).get())!;
    const raw = await outgoingMime(env.RAW, row);
    const headerBlock = raw.slice(0, raw.indexOf('\r\n\r\n'));
    expect(headerBlock).not.toMatch(/^bcc:/im);
    // The reply path quotes the name in To on one line; the snippet's text is only in the body.
    expect(headerBlock.split('\r\n').filter((l) => l.includes('evil.test'))).toEqual(['To: "Eve Bcc: x@evil.test" <alice@example.com>']);
    const parsed = await PostalMime.parse(raw);
    expect(parsed.bcc).toBeUndefined();
    expect(parsed.to?.map((a) => a.address)).toEqual(['alice@example.com']);
    expect(parsed.text).toContain('Hello Eve Bcc: x@evil.test,');
  });
});
