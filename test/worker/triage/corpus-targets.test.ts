// Triage against the labelled corpus (../shared/corpus, see its README), through the Worker's planner
// on the real D1 binding (worker/ingest/corpus.ts, as `npm run corpus` runs it): the targets of the
// triage work, and every row where edgecase disagrees with the manifest on purpose, with the reason.
// A disagreement not listed here fails the test; so does a listed one that no longer happens.
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { openDesk } from '../../../worker/ingest/explain.ts';
import { parseManifest, runCorpusFile, summarize, summaryLine, type MessageResult } from '../../../worker/ingest/corpus.ts';
import { seeded } from '../helpers.ts';

const present = env.HAS_CORPUS === 'yes';
if (!present) console.log('corpus: ../shared/corpus is not there; the corpus targets test is skipped');

const LIST_IS_A_CASE = 'it carries mailing-list headers, so it is list mail; list mail still becomes a case (never acknowledged), so nothing is lost';
const ON_PURPOSE: Record<string, string> = {
  'sisimai-set-of-emails/maildir/bsd/lhost-sendmail-14.eml': 'a person forwarded a bounce to us ("Fwd: Returned mail") with a question: that is a customer writing',
  'sisimai-set-of-emails/mailbox/mbox-0#35': 'the same forwarded bounce as lhost-sendmail-14: a person wrote it',
  'sisimai-set-of-emails/maildir/bsd/arf-22.eml': 'a provider’s staff forwards a complaint as an ordinary message (multipart/mixed, the message attached), not an RFC 5965 report: a person wrote it',
  'sisimai-set-of-emails/maildir/bsd/arf-23.eml': 'as arf-22',
  'sisimai-set-of-emails/maildir/bsd/arf-24.eml': 'as arf-22',
  'chatwoot/spec/fixtures/files/notification.eml':
    'another helpdesk’s notification from its own address, with no automatic-mail header: it cannot be told from a person, and a false ignore loses a customer',
  'mimekit/UnitTests/TestData/messages/feedback-report.txt':
    'an RFC 5965 abuse report (multipart/report; report-type=feedback-report) is automatic mail; the source project only checks that it parses',
  'mailparser/test/fixtures/large_text.eml': LIST_IS_A_CASE,
  'php-mime-mail-parser/tests/mails/issue84': LIST_IS_A_CASE,
  'ruby-mail/spec/fixtures/emails/error_emails/empty_in_reply_to.eml': LIST_IS_A_CASE,
  'ruby-mail/spec/fixtures/emails/error_emails/empty_group_lists.eml': 'marked X-Spam-Flag: YES upstream: held for review rather than filed, raw kept',
  'ruby-mail/spec/fixtures/emails/plain_emails/raw_email_bad_time.eml': 'marked X-Spam-Flag: YES upstream: held for review rather than filed, raw kept',
  'flanker/tests/fixtures/messages/enclosed-endless.eml': 'an endless-nesting torture message: held as too-many-parts before the parser runs, raw kept',
};

describe.skipIf(!present)('corpus targets', () => {
  it('bounce recall ≥ 99%, auto-reply recall ≥ 95%, human mail kept ≥ 99%, no crashes', { timeout: 300_000 }, async () => {
    // The demo workspace; acknowledgements off, as in corpus.test.ts. Nothing is committed: every row
    // meets the same database.
    const deps = await seeded();
    const desk = await openDesk(
      { DB: env.DB, RAW: null },
      { replyTokenKey: deps.secrets.replyTokenKey, appUrl: null, maxMessageBytes: deps.config.maxMessageBytes, now: () => Date.now(), commit: false, seed: false },
    );
    const rows = parseManifest(await (await env.CORPUS.fetch('http://corpus/manifest')).text());
    const results: MessageResult[] = [];
    for (const row of rows) {
      const file = new Uint8Array(await (await env.CORPUS.fetch(`http://corpus/file?path=${encodeURIComponent(row.path)}`)).arrayBuffer());
      results.push(...(await runCorpusFile(row, file, desk)));
    }
    const s = summarize(results);
    console.log(summaryLine(s));
    expect(
      results.filter((r) => r.crashed).map((r) => `${r.path}: ${r.crashed}`),
      'messages the planner could not handle',
    ).toEqual([]);
    expect(s.crashes).toBe(0);
    expect(s.recall.bounce).toBeGreaterThanOrEqual(99);
    expect(s.recall.autoReply).toBeGreaterThanOrEqual(95);
    expect(s.recall.human).toBeGreaterThanOrEqual(99);

    const misses = results.filter((r) => r.ok === false).map((r) => `${r.path}${r.index ? `#${r.index}` : ''}`);
    const unexplained = misses.filter((m) => !ON_PURPOSE[m]);
    expect(unexplained, 'disagreements with the manifest that nobody decided on').toEqual([]);
    const stale = Object.keys(ON_PURPOSE).filter((m) => !misses.includes(m));
    expect(stale, 'listed as disagreeing on purpose, but no longer disagreeing').toEqual([]);
  });
});
