// Subjects as threads see them: the reply and forward prefixes mail clients write in many languages,
// and our [#n] tags. Pure. The ingest compares a reply's subject with a case's by baseSubject; the
// mail we send collapses a chain of reply prefixes into one `Re: ` (REPLY_CHAIN).

/** Reply prefixes (Re, AW, SV, Antw, VS, Réf, Odp, Ynt, Rif, R, Res, 回复 …). */
const REPLY_WORDS = ['re', 'aw', 'sv', 'vs', 'antw', 'antwort', 'réf', 'ref', 'odp', 'ynt', 'rif', 'res', 'r', '回复', '答复', '回覆'];
/** Forward prefixes: taken off a subject too, but they do not make a message a reply. */
const FORWARD_WORDS = ['fw', 'fwd', 'wg', 'tr', 'enc', 'rv', '转发', '轉寄'];
/** One prefix of these words with an optional count ("Re[2]:", "AW(3):") and a colon, ASCII or full-width. */
const prefix = (words: string[]) => `\\s*(?:${words.join('|')})\\s*(?:\\[\\d{1,3}\\]|\\(\\d{1,3}\\))?\\s*[:：]`;
const ANY_PREFIX = new RegExp(`^${prefix([...REPLY_WORDS, ...FORWARD_WORDS])}\\s*`, 'iu');
const REPLY_PREFIX = new RegExp(`^${prefix(REPLY_WORDS)}`, 'iu');
/** A chain of reply prefixes at the start of a subject ("Re: AW: Re[2]: "). */
export const REPLY_CHAIN = new RegExp(`^(?:${prefix(REPLY_WORDS)})+\\s*`, 'iu');
const SUBJECT_TAGS = /\[#\d{1,9}\]/g;

/** A subject as a thread sees it: no reply/forward prefixes, no [#n] tags, spaces collapsed, lower case. */
export function baseSubject(subject: string): string {
  let s = subject.replace(SUBJECT_TAGS, ' ');
  for (let i = 0; i < 10; i++) {
    const next = s.replace(ANY_PREFIX, '').replace(SUBJECT_TAGS, ' ');
    if (next === s) break;
    s = next;
  }
  return s.replace(/\s+/g, ' ').trim().toLowerCase();
}

/** The subject begins with a reply prefix (in any of the languages above), tags aside. */
export function isReplySubject(subject: string): boolean {
  return REPLY_PREFIX.test(subject.replace(SUBJECT_TAGS, ' '));
}

/** The base subject of a reply (its subject begins with a reply prefix), or null; too short to say anything, null too. */
export function replySubjectOf(subject: string): string | null {
  if (!isReplySubject(subject)) return null;
  const base = baseSubject(subject);
  return base.length >= 4 ? base : null;
}
