// Search through GET /api/search over mail filed by the real pipeline: findable the moment the
// commit returns, each filter, ranking, marks, non-Latin scripts, and a bad query's 400.
import { describe, expect, it } from 'vitest';
import type { Deps } from '../../../worker/deps.ts';
import type { SearchPage } from '../../../worker/protocol/search.ts';
import { DEMO, mail, seeded } from '../helpers.ts';
import { call, deliver, getJson, newCase, ORIGIN, patch } from '../http/client.ts';

async function find(q: string): Promise<SearchPage> {
  const { res, body } = await getJson<SearchPage>(`/api/search?q=${encodeURIComponent(q)}`);
  expect(res.status).toBe(200);
  return body;
}

const subjects = async (q: string) => (await find(q)).items.map((h) => h.case.subject);

const post = (path: string, body: unknown) =>
  call(path, { method: 'POST', headers: { 'Content-Type': 'application/json', 'Sec-Fetch-Site': 'same-origin', Origin: ORIGIN }, body: JSON.stringify(body) });

async function file(deps: Deps, subject: string, body: string, from = 'Alice Example <alice@example.com>', more: Record<string, string> = {}): Promise<string> {
  const address = /<([^>]+)>/.exec(from)?.[1] ?? from;
  await deliver(deps, mail({ Subject: subject, From: from, ...more }, body), { from: address });
  const hit = (await find(`"${subject}"`)).items.find((h) => h.case.subject === subject);
  if (!hit) throw new Error(`${subject} not found`);
  return hit.case.id;
}

describe('search', () => {
  it('finds a mail the moment it is filed, by subject, body and sender, with the words marked', async () => {
    const deps = await seeded();
    await deliver(deps, mail({ Subject: 'Refund for order 4711', From: 'Ana Pérez <ana@shop.example>' }, 'The parcel arrived broken, I would like my money back.'), { from: 'ana@shop.example' });
    const bySubject = await find('refund');
    expect(bySubject.items.map((h) => h.case.subject)).toEqual(['Refund for order 4711']);
    expect(bySubject.items[0]!.subject).toEqual({ text: 'Refund for order 4711', marks: [[0, 6]] });
    const byBody = (await find('parcel')).items[0]!;
    expect(byBody.snippet?.field).toBe('body');
    const [a, b] = byBody.snippet!.marks[0]!;
    expect(byBody.snippet!.text.slice(a, b)).toBe('parcel');
    expect(await subjects('ana@shop.example')).toEqual(['Refund for order 4711']);
    // The accent is not needed, and is marked where it stands.
    const byName = (await find('perez')).items[0]!;
    expect(byName.snippet?.field).toBe('people');
    const [p, q] = byName.snippet!.marks[0]!;
    expect(byName.snippet!.text.slice(p, q)).toBe('Pérez');
    expect(await subjects('nothing-like-this')).toEqual([]);
  });

  it('ranks a subject match above a body match, and takes phrases and negation', async () => {
    const deps = await seeded();
    await file(deps, 'Question about shipping', 'Where is the invoice for my last order?');
    await file(deps, 'Invoice missing', 'I did not get anything for my order.');
    expect(await subjects('invoice')).toEqual(['Invoice missing', 'Question about shipping']);
    expect(await subjects('"invoice for my"')).toEqual(['Question about shipping']);
    expect(await subjects('"for my invoice"')).toEqual([]);
    expect(await subjects('order -shipping')).toEqual(['Invoice missing']);
    expect(await subjects('-shipping')).toEqual(['Invoice missing']);
  });

  it('finds German, accented, Japanese and Chinese text, short CJK words included', async () => {
    const deps = await seeded();
    await file(deps, 'Lieferung nach Köln', 'Die Straße ist gesperrt, bitte an die Größe denken.', 'Jürgen Müller <juergen@beispiel.de>');
    await file(deps, '注文について', '東京都に住んでいます。荷物が届きません。');
    await file(deps, '退款申请', '我在北京，包裹还没有到。');
    expect(await subjects('köln')).toEqual(['Lieferung nach Köln']);
    expect(await subjects('koln')).toEqual(['Lieferung nach Köln']);
    expect(await subjects('müller')).toEqual(['Lieferung nach Köln']);
    expect(await subjects('muller')).toEqual(['Lieferung nach Köln']);
    expect(await subjects('straße')).toEqual(['Lieferung nach Köln']);
    expect(await subjects('strasse')).toEqual(['Lieferung nach Köln']);
    expect(await subjects('東京都')).toEqual(['注文について']);
    expect(await subjects('荷物')).toEqual(['注文について']);
    expect(await subjects('北京')).toEqual(['退款申请']);
    expect(await subjects('退款')).toEqual(['退款申请']);
    const hit = (await find('荷物')).items[0]!;
    const [a, b] = hit.snippet!.marks[0]!;
    expect(hit.snippet!.text.slice(a, b)).toBe('荷物');
  });

  it('finds a note and a tag the moment they are committed; a status change moves the case between filters', async () => {
    const deps = await seeded();
    const id = await file(deps, 'Printer jammed', 'It makes a noise.');
    expect((await post(`/api/cases/${id}/notes`, { text: 'Customer is on the enterprise plan' })).status).toBe(201);
    const note = (await find('enterprise')).items;
    expect(note.map((h) => [h.case.id, h.snippet?.field])).toEqual([[id, 'notes']]);
    expect(await subjects('has:note')).toEqual(['Printer jammed']);
    expect(await subjects('tag:hardware')).toEqual([]);
    expect((await patch(`/api/cases/${id}`, { tags: { add: ['Hardware'] } })).status).toBe(200);
    expect(await subjects('tag:hardware')).toEqual(['Printer jammed']);
    expect(await subjects('printer -tag:hardware')).toEqual([]);
    expect((await patch(`/api/cases/${id}`, { tags: { remove: ['Hardware'] } })).status).toBe(200);
    expect(await subjects('tag:hardware')).toEqual([]);
    expect(await subjects('status:new')).toEqual(['Printer jammed']);
    expect((await patch(`/api/cases/${id}`, { status: 'pending' })).status).toBe(200);
    expect(await subjects('status:new')).toEqual([]);
    expect(await subjects('status:pending printer')).toEqual(['Printer jammed']);
    expect(await subjects('status:active')).toEqual(['Printer jammed']);
  });

  it('filters by sender, recipient, assignee, priority, kind, attachment, mailbox and date, alone and combined', async () => {
    const deps = await seeded();
    const a = await file(deps, 'Alpha case', 'first words', 'Alice <alice@example.com>', { Cc: 'Carol <carol@example.com>' });
    const b = await file(deps, 'Beta case', 'second words', 'Bob <bob@example.org>');
    await deliver(
      deps,
      [
        'From: Dana <dana@example.net>',
        `To: ${DEMO.mailbox}`,
        'Subject: Gamma case',
        `Message-ID: <${crypto.randomUUID()}@example.net>`,
        'MIME-Version: 1.0',
        'Content-Type: multipart/mixed; boundary="b"',
        '',
        '--b',
        'Content-Type: text/plain; charset=utf-8',
        '',
        'see the scan',
        '--b',
        'Content-Type: application/pdf',
        'Content-Disposition: attachment; filename="Rechnung-2026.pdf"',
        'Content-Transfer-Encoding: base64',
        '',
        'JVBERi0xLjQK',
        '--b--',
        '',
      ].join('\r\n'),
      { from: 'dana@example.net' },
    );
    expect(await subjects('from:bob@example.org')).toEqual(['Beta case']);
    expect(await subjects('from:example.org')).toEqual(['Beta case']);
    expect(await subjects('to:carol@example.com')).toEqual(['Alpha case']);
    expect(await subjects('has:attachment')).toEqual(['Gamma case']);
    expect(await subjects('rechnung')).toEqual(['Gamma case']);
    expect((await find('rechnung')).items[0]!.snippet?.field).toBe('files');
    expect((await subjects('-has:attachment')).sort()).toEqual(['Alpha case', 'Beta case']);
    expect(await subjects('kind:bounce')).toEqual([]);
    expect((await subjects('kind:human')).length).toBe(3);
    expect((await subjects(`mailbox:${DEMO.mailbox}`)).length).toBe(3);
    expect(await subjects('mailbox:nowhere@example.com')).toEqual([]);
    expect((await patch(`/api/cases/${a}`, { priority: 'urgent' })).status).toBe(200);
    expect(await subjects('priority:urgent')).toEqual(['Alpha case']);
    expect(await subjects('priority:urgent words')).toEqual(['Alpha case']);
    expect(await subjects('priority:urgent second')).toEqual([]);
    expect((await patch(`/api/cases/${b}`, { assigneeId: 'agt_ada' })).status).toBe(200);
    // Open mode's agent is the workspace's first admin.
    expect(await subjects('assignee:me')).toEqual(['Beta case']);
    expect(await subjects('assignee:ada')).toEqual(['Beta case']);
    expect(await subjects('assignee:ada@acme.test')).toEqual(['Beta case']);
    expect(await subjects('assignee:ben')).toEqual([]);
    expect(await subjects('is:assigned')).toEqual(['Beta case']);
    expect((await subjects('assignee:none')).sort()).toEqual(['Alpha case', 'Gamma case']);
    expect((await subjects('after:today')).length).toBe(3);
    expect(await subjects('before:today')).toEqual([]);
    expect(await subjects('before:2000-01-01')).toEqual([]);
  });

  it('answers 400 with the problems of a bad query, and pages with a cursor', async () => {
    const deps = await seeded();
    const bad = await call('/api/search?q=status%3Abogus');
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { error: { issues: Array<{ token: string }> } };
    expect(body.error.issues[0]!.token).toBe('status:bogus');
    for (const n of [1, 2, 3]) await newCase(deps, `Paging case ${n}`);
    const first = (await getJson<SearchPage>('/api/search?q=paging&limit=2')).body;
    expect(first.items).toHaveLength(2);
    expect(first.nextCursor).not.toBeNull();
    const second = (await getJson<SearchPage>(`/api/search?q=paging&limit=2&cursor=${encodeURIComponent(first.nextCursor!)}`)).body;
    expect(second.items).toHaveLength(1);
    expect(second.nextCursor).toBeNull();
    expect(new Set([...first.items, ...second.items].map((h) => h.case.id)).size).toBe(3);
  });
});
