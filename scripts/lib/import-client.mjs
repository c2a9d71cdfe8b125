// Talking to a running edgecase for `npm run import`: is it there, may we import, send one message.

/** Something that makes every further request pointless: the import stops (state saved). */
export class StopImport extends Error {}

function why(err) {
  const cause = err?.cause;
  if (err?.name === 'TimeoutError') return 'no answer in time';
  return cause?.code ?? cause?.message ?? err?.message ?? String(err);
}

export function unreachable(url, err) {
  return new StopImport(`Cannot reach edgecase at ${url} (${why(err)}). Is it running? Start it with \`npm start\` in the project, or pass --url with its address.`);
}

async function readAnswer(res) {
  const text = await res.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON: a proxy's page, wrangler's own error
  }
  const message = json?.error ? `${json.error.code}: ${json.error.message}` : text.trim().slice(0, 300) || res.statusText;
  return { status: res.status, json, message };
}

/** Checks the server answers and lets this machine import (an admin, or AUTH_MODE=open). */
export async function preflight(url) {
  let res;
  try {
    res = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(10_000) });
  } catch (err) {
    throw unreachable(url, err);
  }
  if (!res.ok) throw new StopImport(`${url}/api/health answered ${res.status}: is that edgecase?`);
  await res.body?.cancel();
  let session;
  try {
    session = await readAnswer(await fetch(`${url}/api/session`, { signal: AbortSignal.timeout(10_000) }));
  } catch (err) {
    throw unreachable(url, err);
  }
  if (session.status !== 200) throw new StopImport(`edgecase at ${url} refuses us (${session.status} ${session.message}). The import needs an admin; locally, \`npm start\` runs with AUTH_MODE=open.`);
  if (session.json?.role && session.json.role !== 'admin')
    throw new StopImport(`edgecase at ${url} signs us in as ${session.json.email || session.json.name} (${session.json.role}); the import needs an admin.`);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * POSTs one raw message to /api/admin/import. Answers
 *   { ok: true, result }                 201: { inboundId, status, reason, caseId, duplicate }
 *   { ok: false, status, message }       a 4xx about this message: record it and go on
 * and throws StopImport when going on makes no sense: the server is gone or failing (5xx and
 * network errors, after `retries` more tries with backoff), or it refuses every import (no such
 * mailbox, not allowed, no such route).
 */
export async function importMessage(url, { mailbox, batch, from }, raw, { retries = 3, backoffMs = 1000, onRetry = () => {} } = {}) {
  const q = new URLSearchParams({ mailbox, batch });
  if (from) q.set('from', from);
  const target = `${url}/api/admin/import?${q}`;
  for (let attempt = 0; ; attempt++) {
    let answer;
    let failure;
    try {
      const res = await fetch(target, { method: 'POST', headers: { 'Content-Type': 'message/rfc822' }, body: raw, signal: AbortSignal.timeout(120_000) });
      answer = await readAnswer(res);
    } catch (err) {
      failure = why(err);
    }
    if (answer) {
      const { status, json, message } = answer;
      if (status === 201 && json) return { ok: true, result: json };
      if (status === 401 || status === 403 || status === 404 || status === 405) throw new StopImport(`edgecase at ${url} refuses imports: ${status} ${message}`);
      if (status === 501) throw new StopImport(`edgecase at ${url} is not set up for this: ${message}`);
      if (status === 400 && /^bad_request: no mailbox /.test(message)) throw new StopImport(`${message.replace(/^bad_request: /, '')}: check --mailbox (the address, as in the mailboxes table)`);
      if (status >= 400 && status < 500) return { ok: false, status, message };
      failure = `${status} ${message}`;
    }
    if (attempt >= retries) {
      const hint = answer ? '' : ' Is it still running (`npm start`)?';
      throw new StopImport(`edgecase at ${url} failed ${retries + 1} times in a row (last: ${failure}).${hint}`);
    }
    const wait = backoffMs * 2 ** attempt;
    onRetry(`${failure}; trying again in ${wait / 1000} s (${attempt + 1} of ${retries})`);
    await sleep(wait);
  }
}
