// Import old mail (#/admin/import): a small archive (an mbox file, or a single .eml) uploaded into a
// mailbox as history: filed as closed cases in their own time, threads rebuilt, nobody answered, and
// messages imported before skipped. The file is counted first and the admin confirms the number, as
// `npm run import` asks before it starts; that command is the way for big archives.
//
// data-testids: admin-import (the page), import-mailbox (select), import-file (input), import-batch
// (the import's name), import-count (the confirmation; data-messages), import-confirm, import-cancel,
// import-summary (the outcome; data-imported, data-duplicates, data-failed), import-error.
import { For, Show, createEffect, createResource, createSignal, on } from 'solid-js';
import { IMPORT_UPLOAD_LIMITS, type ImportCount, type ImportSummary } from '../../../../worker/protocol/admin.ts';
import { errorMessage } from '../../api/errors.ts';
import { formatSize } from '../../lib/format.ts';
import { countImport, importUpload, listMailboxes } from '../../api/admin.ts';

/** The file's name, reduced to what an import name may hold (as the command line does). */
function batchName(file: string): string {
  const name = file
    .replace(/[^\w.:-]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, 100);
  return name || 'upload';
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export function Import() {
  document.title = 'Import old mail · edgecase';
  const [mailboxes] = createResource(() => listMailboxes().then((r) => r.items));
  const [mailbox, setMailbox] = createSignal('');
  const [file, setFile] = createSignal<File | null>(null);
  const [batch, setBatch] = createSignal('');
  const [count, setCount] = createSignal<ImportCount | null>(null);
  const [summary, setSummary] = createSignal<ImportSummary | null>(null);
  const [failure, setFailure] = createSignal<string | null>(null);
  const [busy, setBusy] = createSignal<'counting' | 'importing' | null>(null);
  let fileInput: HTMLInputElement | undefined;

  const chosenMailbox = () => mailbox() || mailboxes()?.find((m) => m.enabled)?.address || mailboxes()?.[0]?.address || '';

  function reset(): void {
    setFile(null);
    setCount(null);
    setBatch('');
    if (fileInput) fileInput.value = '';
  }

  async function choose(chosen: File | null): Promise<void> {
    setSummary(null);
    setFailure(null);
    setCount(null);
    setFile(chosen);
    if (!chosen) return;
    setBatch(batchName(chosen.name));
    if (chosen.size > IMPORT_UPLOAD_LIMITS.maxBytes) {
      setFailure(`${chosen.name} is ${formatSize(chosen.size)}; an upload takes up to ${formatSize(IMPORT_UPLOAD_LIMITS.maxBytes)}. Import bigger archives with npm run import.`);
      return;
    }
    await recount();
  }

  // A file chosen before the mailbox list arrived is counted once it is there.
  createEffect(
    on(
      () => mailboxes(),
      (list) => {
        if (list && file() && !count() && !failure() && busy() === null) void recount();
      },
      { defer: true },
    ),
  );

  /** Counts the chosen file's messages; nothing is imported. */
  async function recount(): Promise<void> {
    const f = file();
    if (!f || !chosenMailbox()) return;
    setBusy('counting');
    setFailure(null);
    setCount(null);
    try {
      setCount(await countImport(chosenMailbox(), batch() || batchName(f.name), f));
    } catch (err) {
      setFailure(errorMessage(err));
    } finally {
      setBusy(null);
    }
  }

  async function start(): Promise<void> {
    const f = file();
    if (!f || !count()) return;
    setBusy('importing');
    setFailure(null);
    try {
      setSummary(await importUpload(chosenMailbox(), batch() || batchName(f.name), f));
      reset();
    } catch (err) {
      setFailure(errorMessage(err));
    } finally {
      setBusy(null);
    }
  }

  return (
    <div data-testid="admin-import">
      <h2>Import old mail</h2>
      <p>
        Upload an mbox archive or a single .eml message (up to {formatSize(IMPORT_UPLOAD_LIMITS.maxBytes)} and {IMPORT_UPLOAD_LIMITS.maxMessages} messages). Each message is filed into a closed case in
        its own time, replies join the case they answer, and nobody is sent anything. Messages imported before are skipped, so uploading the same file again changes nothing. Bigger archives:{' '}
        <code>npm run import</code>.
      </p>
      <Show when={mailboxes.error}>
        <div class="error" role="alert">
          <p>Could not load the mailboxes: {errorMessage(mailboxes.error)}</p>
        </div>
      </Show>
      <div class="admin-panel">
        <div class="admin-actions">
          <label>
            Mailbox{' '}
            <select
              data-testid="import-mailbox"
              value={chosenMailbox()}
              disabled={busy() !== null}
              onChange={(e) => {
                setMailbox(e.currentTarget.value);
                void recount();
              }}
            >
              <For each={mailboxes() ?? []}>
                {(m) => (
                  <option value={m.address}>
                    {m.address}
                    {m.enabled ? '' : ' (disabled)'}
                  </option>
                )}
              </For>
            </select>
          </label>
          <label>
            File{' '}
            <input
              ref={fileInput}
              type="file"
              data-testid="import-file"
              accept=".mbox,.mbx,.eml,application/mbox,message/rfc822"
              disabled={busy() !== null}
              onChange={(e) => void choose(e.currentTarget.files?.[0] ?? null)}
            />
          </label>
          <Show when={file()}>
            <label>
              Import name{' '}
              <input type="text" data-testid="import-batch" value={batch()} maxLength={100} pattern="[\w.:\-]+" disabled={busy() !== null} onInput={(e) => setBatch(e.currentTarget.value)} />
            </label>
          </Show>
        </div>
        <Show when={busy() === 'counting'}>
          <p class="loading">Counting the messages…</p>
        </Show>
        <Show when={count()}>
          {(n) => (
            <div class="import-confirm" data-testid="import-count" data-messages={n().messages} role="status">
              <p>
                {file()?.name} holds <strong>{plural(n().messages, 'message')}</strong> ({formatSize(n().bytes)}).
                {n().tooLarge > 0 ? ` ${plural(n().tooLarge, 'message is', 'messages are')} over the mailbox's size limit and will be refused.` : ''} Import {n().messages === 1 ? 'it' : 'them'} into{' '}
                {chosenMailbox()} as closed cases?
              </p>
              <div class="admin-actions">
                <button type="button" class="primary" data-testid="import-confirm" disabled={busy() !== null} onClick={() => void start()}>
                  {busy() === 'importing' ? 'Importing…' : `Import ${plural(n().messages, 'message')}`}
                </button>
                <button type="button" data-testid="import-cancel" disabled={busy() !== null} onClick={reset}>
                  Cancel
                </button>
              </div>
            </div>
          )}
        </Show>
        <Show when={failure()}>
          <p class="field-error" role="alert" data-testid="import-error">
            {failure()}
          </p>
        </Show>
        <Show when={summary()}>{(s) => <Summary summary={s()} />}</Show>
      </div>
    </div>
  );
}

function Summary(props: { summary: ImportSummary }) {
  const s = () => props.summary;
  const held = () => Object.entries(s().held).sort((a, b) => b[1] - a[1]);
  return (
    <div class="import-summary" data-testid="import-summary" data-imported={s().imported} data-duplicates={s().duplicates} data-failed={s().failed} role="status">
      <p class={s().failed ? 'field-error' : 'admin-ok'}>
        Done: {plural(s().messages, 'message')} into {s().mailbox} (import “{s().batch}”).
      </p>
      <ul>
        <li>
          imported: {s().imported} ({plural(s().newCases, 'new case')}, {s().appended} added to a case)
        </li>
        <li>skipped as imported before: {s().duplicates}</li>
        <Show when={held().length > 0}>
          <li>
            held by the ingest rules: {held().reduce((a, [, n]) => a + n, 0)}
            <ul>
              <For each={held()}>
                {([why, n]) => (
                  <li>
                    {why}: {n}
                  </li>
                )}
              </For>
            </ul>
          </li>
        </Show>
        <li>failed: {s().failed}</li>
      </ul>
      <Show when={s().errors.length > 0}>
        <ul class="field-error">
          <For each={s().errors}>{(e) => <li>{e}</li>}</For>
          <Show when={s().failed > s().errors.length}>
            <li>… and {s().failed - s().errors.length} more</li>
          </Show>
        </ul>
      </Show>
    </div>
  );
}
