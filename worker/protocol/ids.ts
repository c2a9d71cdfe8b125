// Prefixed, time-sortable identifiers (`case_…`, `msg_…`). The prefix says what an id names, so an
// id pasted into a log or a URL is never ambiguous. No cloudflare:* imports: the web app uses this.

export const ID_PREFIX = {
  workspace: 'ws',
  agent: 'agt',
  mailbox: 'mbx',
  contact: 'ct',
  case: 'case',
  message: 'msg',
  attachment: 'att',
  inbound: 'in',
  outbox: 'ob',
  audit: 'aud',
  tag: 'tag',
  view: 'view',
  team: 'team',
  snippet: 'snip',
} as const;
export type IdKind = keyof typeof ID_PREFIX;

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz'; // Crockford base32, lower case

/** 10 chars of time (ms, sortable) + 12 random chars. */
export function newId(kind: IdKind, now: number = Date.now()): string {
  let t = '';
  let n = Math.floor(now);
  for (let i = 0; i < 10; i++) {
    t = ALPHABET[n % 32] + t;
    n = Math.floor(n / 32);
  }
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  let r = '';
  for (const b of bytes) r += ALPHABET[b % 32];
  return `${ID_PREFIX[kind]}_${t}${r}`;
}

/** An id derived from another one, for rows that must come out the same when work is retried. */
export function derivedId(kind: IdKind, from: string, suffix = ''): string {
  const body = from.slice(from.indexOf('_') + 1);
  return `${ID_PREFIX[kind]}_${body}${suffix}`;
}
