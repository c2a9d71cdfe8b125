import { describe, expect, it } from 'vitest';
import { parseMail } from '../../../worker/ingest/parse.ts';
import { chooseThread, threadCandidates, type ThreadFacts } from '../../../worker/ingest/thread.ts';
import { fixture } from '../../fixtures/index.ts';

const SUPPORT = 'support@acme.test';
const CASE = 'case_0000000001aaaaaaaaaaaa';

async function candidates(name: string, recipient = SUPPORT) {
  return threadCandidates(recipient, await parseMail(fixture(name)));
}

/** Case 1 was opened by plain.eml: Alice asked, Bob was in Cc. */
function facts(over: Partial<ThreadFacts> = {}): ThreadFacts {
  return {
    token: null,
    caseByMessageId: { 'first-plain@example.com': CASE },
    caseByTag: null,
    caseBySubject: null,
    participants: { [CASE]: ['alice@example.com', 'bob@example.net'] },
    ...over,
  };
}

describe('threadCandidates', () => {
  it('finds nothing in a first message', async () => {
    expect(await candidates('plain')).toEqual({ token: null, inReplyTo: [], references: [], subjectTag: null, replySubject: null });
  });

  it('takes the token from the recipient address', async () => {
    const c = await candidates('reply-in-reply-to', 'reply+0000000001aaaaaaaaaaaa-c-abcdefghjkmnpqrs@acme.test');
    expect(c.token).toBe('0000000001aaaaaaaaaaaa-c-abcdefghjkmnpqrs');
  });

  it('takes In-Reply-To', async () => {
    const c = await candidates('reply-in-reply-to');
    expect(c.inReplyTo).toEqual(['first-plain@example.com']);
    expect(c.references).toEqual([]);
  });

  it('orders References newest first', async () => {
    const c = await candidates('reply-references-only');
    expect(c.inReplyTo).toEqual([]);
    expect(c.references).toEqual(['unknown-tail.12@mail.example.net', 'first-plain@example.com', 'unknown-root.77@lists.example.org']);
  });

  it('leaves the In-Reply-To ids out of References', async () => {
    // ooo-exchange.eml carries the same id in both headers.
    const c = await candidates('ooo-exchange');
    expect(c.inReplyTo).toEqual(['first-plain@example.com']);
    expect(c.references).toEqual([]);
    const mixed = threadCandidates(SUPPORT, { inReplyTo: ['b@example.com'], references: ['a@example.com', 'b@example.com', 'c@example.com'], subject: '' });
    expect(mixed.references).toEqual(['c@example.com', 'a@example.com']);
  });

  it('reads the subject tag', async () => {
    expect((await candidates('reply-subject-tag')).subjectTag).toBe(1);
    expect((await candidates('stranger-subject-tag')).subjectTag).toBe(1);
    expect(threadCandidates(SUPPORT, { inReplyTo: [], references: [], subject: 'Re: [#4521] Lid' }).subjectTag).toBe(4521);
    expect(threadCandidates(SUPPORT, { inReplyTo: [], references: [], subject: 'Order #4471 [4471]' }).subjectTag).toBeNull();
  });
});

describe('chooseThread', () => {
  it('matches a valid token from a participant', async () => {
    const c = await candidates('reply-subject-tag', 'reply+0000000001aaaaaaaaaaaa-c-abcdefghjkmnpqrs@acme.test');
    const choice = chooseThread(c, facts({ token: { caseId: CASE }, caseByTag: 'case_other' }), 'alice@example.com');
    expect(choice.match).toMatchObject({ caseId: CASE, rule: 'token' });
    expect(choice.held).toBeNull();
  });

  it('falls through a rejected token to the headers and says why', async () => {
    const c = await candidates('reply-in-reply-to', 'reply+bogus@acme.test');
    const choice = chooseThread(c, facts({ token: { rejected: 'token-bad-signature' } }), 'alice@example.com');
    expect(choice.match).toMatchObject({ caseId: CASE, rule: 'in-reply-to' });
    expect(choice.considered).toContain('token: token-bad-signature');
  });

  it('matches In-Reply-To', async () => {
    const choice = chooseThread(await candidates('reply-in-reply-to'), facts(), 'alice@example.com');
    expect(choice.match).toEqual({ caseId: CASE, rule: 'in-reply-to', reason: 'In-Reply-To <first-plain@example.com>' });
  });

  it("matches References alone with rule 'references'", async () => {
    const choice = chooseThread(await candidates('reply-references-only'), facts(), 'alice@example.com');
    expect(choice.match).toEqual({ caseId: CASE, rule: 'references', reason: 'References <first-plain@example.com>' });
    expect(choice.held).toBeNull();
  });

  it('matches the subject tag of a participant', async () => {
    const choice = chooseThread(await candidates('reply-subject-tag'), facts({ caseByTag: CASE }), 'alice@example.com');
    expect(choice.match).toMatchObject({ caseId: CASE, rule: 'subject-tag' });
  });

  it('holds a subject tag from a stranger instead of matching', async () => {
    const choice = chooseThread(await candidates('stranger-subject-tag'), facts({ caseByTag: CASE }), 'mallory@example.org');
    expect(choice.match).toBeNull();
    expect(choice.held).toMatchObject({ caseId: CASE, rule: 'subject-tag' });
    expect(choice.considered.some((s) => s.includes('mallory@example.org is not a participant'))).toBe(true);
  });

  it('holds forged threading headers from a stranger too', async () => {
    const choice = chooseThread(await candidates('reply-in-reply-to'), facts(), 'mallory@example.org');
    expect(choice.match).toBeNull();
    expect(choice.held).toMatchObject({ caseId: CASE, rule: 'in-reply-to' });
  });

  it('lets a stranger match when the mailbox accepts any sender', async () => {
    const choice = chooseThread(await candidates('stranger-subject-tag'), facts({ caseByTag: CASE }), 'mallory@example.org', { anySender: true, trust: 'all-rules' });
    expect(choice.match).toMatchObject({ caseId: CASE, rule: 'subject-tag' });
    expect(choice.held).toBeNull();
    expect(choice.considered.at(-1)).toContain('mailbox accepts any sender');
  });

  it('matches nothing when no rule finds a case', async () => {
    const unknown = chooseThread(await candidates('reply-references-only'), facts({ caseByMessageId: {} }), 'alice@example.com');
    expect(unknown).toEqual({ match: null, held: null, considered: ['references: 3 unknown', 'subject: no case of this sender with that subject'] });
    const noTag = chooseThread(await candidates('reply-subject-tag'), facts(), 'alice@example.com');
    expect(noTag.match).toBeNull();
    expect(noTag.considered).toEqual(['subject-tag [#1]: no such case', 'subject: no case of this sender with that subject']);
    expect(chooseThread(await candidates('plain'), facts(), 'alice@example.com')).toEqual({ match: null, held: null, considered: [] });
  });
});

describe('a reply by its subject (clients that drop References and our tag)', () => {
  it('takes reply prefixes of many languages and tags off; forwards and plain subjects are not replies', async () => {
    const { baseSubject, replySubjectOf } = await import('../../../worker/mail/subject.ts');
    expect(replySubjectOf('AW: Where is my order?')).toBe('where is my order?');
    expect(replySubjectOf('SV: Antw: RE[2]: [#42] Where is   my order?')).toBe('where is my order?');
    expect(replySubjectOf('Re: Re: Where is my order? [#42]')).toBe('where is my order?');
    expect(replySubjectOf('回复：Where is my order?')).toBe('where is my order?');
    expect(replySubjectOf('Where is my order?')).toBeNull();
    expect(replySubjectOf('Fwd: Where is my order?')).toBeNull();
    expect(replySubjectOf('Re: hi')).toBeNull();
    expect(baseSubject('[#42] Where is my order?')).toBe('where is my order?');
  });

  it('is the last rule, and needs the sender to take part', () => {
    const c = { token: null, inReplyTo: [], references: [], subjectTag: null, replySubject: 'where is my order?' };
    const joined = chooseThread(c, facts({ caseBySubject: CASE }), 'alice@example.com');
    expect(joined.match).toMatchObject({ caseId: CASE, rule: 'subject' });
    const stranger = chooseThread(c, facts({ caseBySubject: CASE }), 'mallory@example.org');
    expect(stranger.match).toBeNull();
    expect(chooseThread(c, facts(), 'alice@example.com').considered).toContain('subject: no case of this sender with that subject');
  });
});
