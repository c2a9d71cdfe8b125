// authenticate: what Cloudflare's mail servers found about the sender (RFC 8601 Authentication-
// Results), reduced to a verdict. Pure. Only the topmost Authentication-Results header counts, and
// only when its authserv-id is Cloudflare's own: Email Routing prepends it above everything the
// sender wrote, so a forged one further down, or one claiming Cloudflare's name below the real one,
// is never read. Anything that does not parse fails closed: the sender is not verified.
import type { AuthVerdict } from '../protocol/api.ts';

export const CLOUDFLARE_AUTHSERV_ID = 'mx.cloudflare.net';

export interface AuthResult {
  verdict: AuthVerdict;
  /** Machine-readable reasons, e.g. ["dmarc:pass"] or ["ar:missing"]. */
  reasons: string[];
  dmarc: string | null;
  dkim: Array<{ result: string; domain: string | null }>;
  spf: { result: string; domain: string | null } | null;
}

interface ResInfo {
  method: string;
  result: string;
  props: Record<string, string>;
}

/** Removes RFC 5322 comments (nested parentheses), respecting quoted strings. */
function stripComments(value: string): string {
  let out = '';
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!;
    if (ch === '\\' && i + 1 < value.length) {
      if (depth === 0) out += ch + value[i + 1];
      i++;
      continue;
    }
    if (quoted) {
      if (ch === '"') quoted = false;
      out += ch;
    } else if (ch === '"' && depth === 0) {
      quoted = true;
      out += ch;
    } else if (ch === '(') depth++;
    else if (ch === ')' && depth > 0) depth--;
    else if (depth === 0) out += ch;
  }
  if (depth !== 0 || quoted) throw new Error('unbalanced comment or quote');
  return out;
}

export function parseAuthResults(value: string): { authservId: string; results: ResInfo[] } {
  const clean = stripComments(value).replace(/\s+/g, ' ').trim();
  const [head = '', ...rest] = clean.split(';');
  const authservId = head.trim().split(' ')[0]!.toLowerCase();
  if (!/^[a-z0-9.-]+$/.test(authservId)) throw new Error('no authserv-id');
  const results: ResInfo[] = [];
  for (const chunk of rest) {
    const tokens = chunk.trim().split(' ').filter(Boolean);
    if (tokens.length === 0) continue;
    const m = /^([a-z0-9_-]+)(?:\/\d+)?=([a-z]+)$/i.exec(tokens[0]!);
    if (!m) {
      if (/^none$/i.test(tokens[0]!)) continue; // "authserv-id; none": no results
      throw new Error(`unreadable result "${tokens[0]}"`);
    }
    const props: Record<string, string> = {};
    for (const t of tokens.slice(1)) {
      const p = /^([a-z0-9_-]+\.[a-z0-9_.-]+)=(.+)$/i.exec(t);
      if (p) props[p[1]!.toLowerCase()] = p[2]!.replace(/^"|"$/g, '');
    }
    results.push({ method: m[1]!.toLowerCase(), result: m[2]!.toLowerCase(), props });
  }
  return { authservId, results };
}

function domainOf(value: string | undefined | null): string | null {
  if (!value) return null;
  const at = value.lastIndexOf('@');
  return (at >= 0 ? value.slice(at + 1) : value).toLowerCase().replace(/[>\s]+$/, '') || null;
}

/** Relaxed alignment (RFC 7489): the same domain, or one a subdomain of the other. */
function aligned(a: string | null, b: string): boolean {
  if (!a || !b) return false;
  return a === b || a.endsWith(`.${b}`) || b.endsWith(`.${a}`);
}

export function authenticate(headers: Array<[string, string]>, fromEmail: string, trusted = CLOUDFLARE_AUTHSERV_ID): AuthResult {
  const fromDomain = domainOf(fromEmail) ?? '';
  const none: AuthResult = { verdict: 'unverified', reasons: [], dmarc: null, dkim: [], spf: null };
  const topmost = headers.find(([k]) => k === 'authentication-results');
  if (!topmost) return { ...none, reasons: ['ar:missing'] };
  let parsed: ReturnType<typeof parseAuthResults>;
  try {
    parsed = parseAuthResults(topmost[1]);
  } catch {
    return { ...none, reasons: ['ar:unparsable'] };
  }
  if (parsed.authservId !== trusted) return { ...none, reasons: [`ar:untrusted:${parsed.authservId}`] };

  const dmarc = parsed.results.find((r) => r.method === 'dmarc')?.result ?? null;
  const dkim = parsed.results.filter((r) => r.method === 'dkim').map((r) => ({ result: r.result, domain: domainOf(r.props['header.d'] ?? r.props['header.i']) }));
  const spfRes = parsed.results.find((r) => r.method === 'spf');
  const spf = spfRes ? { result: spfRes.result, domain: domainOf(spfRes.props['smtp.mailfrom'] ?? spfRes.props['smtp.helo']) } : null;
  const base = { dmarc, dkim, spf };

  if (dmarc === 'fail') return { ...base, verdict: 'failed', reasons: ['dmarc:fail'] };
  if (dmarc === 'pass') return { ...base, verdict: 'verified', reasons: ['dmarc:pass'] };
  const dkimAligned = dkim.find((d) => d.result === 'pass' && aligned(d.domain, fromDomain));
  if (dkimAligned) return { ...base, verdict: 'verified', reasons: [`dkim:pass:${dkimAligned.domain}`] };
  if (spf?.result === 'pass' && aligned(spf.domain, fromDomain)) return { ...base, verdict: 'verified', reasons: [`spf:pass:${spf.domain}`] };
  const reasons = [`dmarc:${dmarc ?? 'none'}`, ...dkim.map((d) => `dkim:${d.result}${d.domain ? `:${d.domain}` : ''}`), ...(spf ? [`spf:${spf.result}`] : [])];
  // Both DKIM and SPF failing outright, with nothing passing, is as good as a DMARC failure.
  const hardFail = dkim.length > 0 && dkim.every((d) => d.result === 'fail') && spf?.result === 'fail';
  return { ...base, verdict: hardFail ? 'failed' : 'unverified', reasons };
}
