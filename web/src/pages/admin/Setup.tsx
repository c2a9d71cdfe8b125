// "Connect your domain" (#/admin/setup): what this deployment still needs, checked by the Worker
// itself (green, amber, red, each with its fix), a test message through the real email handler, and
// the steps from nothing to a working support address.
//
// data-testids: admin-setup (the page), setup-ready (the summary line; data-ready), setup-check (one
// check; data-id and data-status = ok | warn | fail | skip), setup-fix (a check's fix), setup-recheck
// (button), test-mailbox (select), test-send (button), test-result (the outcome; data-status),
// setup-steps (the instructions).
import { For, Show, createResource, createSignal } from 'solid-js';
import { SETUP_TEST_SUBJECT, type SetupCheck, type TestMessageResult } from '../../../../worker/protocol/admin.ts';
import { errorMessage } from '../../api/errors.ts';
import { Loadable } from '../../components/Loadable.tsx';
import { caseHref } from '../../lib/format.ts';
import { getSetup, sendTestMessage } from '../../api/admin.ts';

const ICONS: Record<SetupCheck['status'], string> = { ok: '✓', warn: '!', fail: '✗', skip: '–' };
const STATUS_WORDS: Record<SetupCheck['status'], string> = { ok: 'OK', warn: 'Attention', fail: 'Needs fixing', skip: 'Not needed' };

export function Setup() {
  document.title = 'Connect your domain · edgecase';
  const [status, { refetch }] = createResource(getSetup);
  const [mailboxId, setMailboxId] = createSignal('');
  const [result, setResult] = createSignal<TestMessageResult | null>(null);
  const [failure, setFailure] = createSignal<string | null>(null);
  const [busy, setBusy] = createSignal(false);

  const chosenMailbox = () => mailboxId() || status()?.mailboxes.find((m) => m.enabled)?.id || status()?.mailboxes[0]?.id || '';

  async function test(): Promise<void> {
    setBusy(true);
    setFailure(null);
    setResult(null);
    try {
      setResult(await sendTestMessage(chosenMailbox()));
      await refetch();
    } catch (err) {
      setFailure(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div data-testid="admin-setup">
      <h2>Connect your domain</h2>
      <Loadable error={status.error} loading={status.loading} value={status.error ? undefined : status()} failure="Could not run the checks" loadingText="Checking…">
        {(s) => (
          <>
            <p data-testid="setup-ready" data-ready={String(s().ready)}>
              {s().ready ? 'Nothing blocks this deployment. Items marked “!” are worth a look.' : 'Some parts need fixing before mail can flow; each red item says how.'}
            </p>
            <ul class="checks">
              <For each={s().checks}>
                {(c) => (
                  <li class={`check-${c.status}`} data-testid="setup-check" data-id={c.id} data-status={c.status}>
                    <span class="check-icon" aria-hidden="true">
                      {ICONS[c.status]}
                    </span>
                    <span class="check-label">
                      <strong>{c.label}</strong> <span class="muted">· {STATUS_WORDS[c.status]}</span>
                    </span>
                    <span class="check-detail">{c.detail}</span>
                    <Show when={c.fix}>
                      <span class="check-fix" data-testid="setup-fix">
                        {c.fix}
                      </span>
                    </Show>
                  </li>
                )}
              </For>
            </ul>
            <div class="admin-actions">
              <button type="button" data-testid="setup-recheck" disabled={status.loading} onClick={() => void refetch()}>
                Check again
              </button>
            </div>

            <div class="admin-panel">
              <h3>Send a test message</h3>
              <p>
                Delivers a generated message to a mailbox through the same email handler Cloudflare calls. It becomes a case with the subject “{SETUP_TEST_SUBJECT}”, sent from your own address (so an
                acknowledgement, if the mailbox sends them, comes to you). Close the case afterwards.
              </p>
              <div class="admin-actions">
                <select data-testid="test-mailbox" value={chosenMailbox()} onChange={(e) => setMailboxId(e.currentTarget.value)} aria-label="Mailbox">
                  <For each={s().mailboxes}>
                    {(m) => (
                      <option value={m.id}>
                        {m.address}
                        {m.enabled ? '' : ' (disabled)'}
                      </option>
                    )}
                  </For>
                </select>
                <button type="button" class="primary" data-testid="test-send" disabled={busy() || s().mailboxes.length === 0} onClick={() => void test()}>
                  {busy() ? 'Sending…' : 'Send a test message'}
                </button>
              </div>
              <Show when={failure()}>
                <p class="field-error" role="alert">
                  {failure()}
                </p>
              </Show>
              <Show when={result()}>
                {(r) => (
                  <p data-testid="test-result" data-status={r().status ?? ''} role="status" class={r().status === 'processed' ? 'admin-ok' : 'field-error'}>
                    <Show
                      when={r().status === 'processed' && r().caseId}
                      fallback={
                        <>
                          Not accepted: {r().status}
                          {r().reason ? ` (${r().reason})` : ''}.
                        </>
                      }
                    >
                      Accepted: the message to {r().to} opened <a href={caseHref(r().caseId!)}>case #{r().caseNumber}</a>.
                    </Show>
                  </p>
                )}
              </Show>
            </div>
          </>
        )}
      </Loadable>
      <Steps />
    </div>
  );
}

/** From nothing to a working support address. Plain text; the commands are what to type. */
function Steps() {
  return (
    <section class="steps" data-testid="setup-steps">
      <h3>Step by step</h3>
      <ol>
        <li>
          <strong>Storage.</strong> Create the database and the bucket for raw mail: <code>npx wrangler d1 create edgecase</code> (put the printed <code>database_id</code> into{' '}
          <code>wrangler.toml</code>) and <code>npx wrangler r2 bucket create edgecase-raw</code>. Then create the tables: <code>npx wrangler d1 migrations apply DB --remote</code>.
        </li>
        <li>
          <strong>The reply-token key.</strong> <code>npx wrangler secret put REPLY_TOKEN_KEY</code> and paste a long random value, for example the output of <code>openssl rand -hex 32</code>. It
          signs the reply addresses edgecase hands out; keep it secret and keep it the same, or older reply addresses stop working.
        </li>
        <li>
          <strong>Deploy.</strong> <code>npm run build && npx wrangler deploy</code>. Open the inbox at your own host name (a custom domain or route on your zone); the Worker does not answer on
          workers.dev.
        </li>
        <li>
          <strong>Sign-in for agents.</strong> In Cloudflare Zero Trust, Access → Applications, add a self-hosted application for the inbox’s host name with a policy that lets your agents in. Put the
          team domain (<code>yourteam.cloudflareaccess.com</code>) into <code>ACCESS_TEAM_DOMAIN</code> and the application’s audience tag into <code>ACCESS_AUD</code>, keep{' '}
          <code>AUTH_MODE = "access"</code>, and deploy again. Every agent also needs a row here (Agents → Add an agent) with the address they sign in with. Without Access, set{' '}
          <code>AUTH_MODE = "password"</code> and give each agent a password on the Agents page.
        </li>
        <li>
          <strong>The mailbox.</strong> Under Mailboxes, create one for your support address (for example <code>support@yourcompany.com</code>), and send a test message from this page.
        </li>
        <li>
          <strong>Receiving: Email Routing.</strong> In the Cloudflare dashboard, open your domain → Email → Email Routing and enable it (it adds the MX and SPF records). Under Routing rules, create a
          custom address for the support address with the action “Send to a Worker” and the <code>edgecase</code> Worker. Customers’ replies come back to the signed address{' '}
          <code>reply+…@yourcompany.com</code>, so that must reach the Worker too. Either turn on the catch-all rule with “Send to a Worker → edgecase” (every other address of the domain then reaches
          edgecase, and one that is no mailbox is refused with “no such mailbox”), or turn on subaddressing (Email Routing → Settings) and add a second custom address,{' '}
          <code>reply@yourcompany.com</code>, sent to the Worker as well.
        </li>
        <li>
          <strong>The catch-all address of a mailbox</strong> (optional, under Mailboxes) is different: held mail is forwarded there for a person to look at. It must be a verified destination address
          in Email Routing (Destination addresses → Add), outside edgecase.
        </li>
        <li>
          <strong>Sending: Email Service.</strong> Under Email → Email Sending, onboard the same domain (“Onboard Domain” adds the SPF, DKIM and DMARC records). Keep the <code>[[send_email]]</code>{' '}
          binding named <code>SEND_EMAIL</code> in <code>wrangler.toml</code>; acknowledgements and replies go out from each mailbox’s own address.
        </li>
        <li>
          <strong>Check from outside.</strong> Write to the support address from a personal mailbox. The message should appear in the inbox within seconds, and the acknowledgement should reach you
          with a passing DKIM signature.
        </li>
      </ol>
    </section>
  );
}
