// The editor of one acknowledgement template: the default wording or our own (subject, text, an
// optional HTML part), with a preview filled with sample values by the server.
import { For, Show, createSignal } from 'solid-js';
import { ACK_PLACEHOLDERS, type AckPlaceholder, type AckPreview, type AckTemplateKind } from '../../../../worker/protocol/admin.ts';
import { previewAck } from '../../api/admin.ts';
import { errorMessage, fieldErrors, type FieldErrors } from '../../api/errors.ts';
import { type TemplateDraft, type TemplateField, templateBody } from './mailboxDraft.ts';

const KIND_LABELS: Record<AckTemplateKind, string> = {
  create: 'New case acknowledgement',
  update: 'Reply acknowledgement',
  'off-hours': 'New case acknowledgement outside office hours',
};

/** What each placeholder becomes, shown on hover; a new placeholder without a hint is a type error. */
const PLACEHOLDER_HINTS: Record<AckPlaceholder, string> = {
  'case.number': 'The case number, as in [#1042]',
  'case.subject': 'The subject of the case',
  'customer.name': 'The customer’s name, as their mail gives it',
  'mailbox.name': 'This mailbox’s display name',
  'agent.name': 'The assigned agent’s name',
  'sla.first_response': 'When the first answer is due under the SLA',
  'office.reopens': 'When the office hours start again, in the calendar’s time zone (off-hours wording)',
};

export function TemplateEditor(props: {
  kind: AckTemplateKind;
  field: TemplateField;
  mailboxId: string | null;
  value: TemplateDraft;
  onChange: (patch: Partial<TemplateDraft>) => void;
  errors: FieldErrors;
}) {
  const [preview, setPreview] = createSignal<AckPreview | null>(null);
  const [previewError, setPreviewError] = createSignal<string | null>(null);
  const [busy, setBusy] = createSignal(false);
  const id = (part: string) => `template-${props.kind}-${part}`;
  const err = (part: string) => props.errors[`${props.field}.${part}`] ?? [];
  const wholeErr = () => props.errors[props.field] ?? [];

  async function runPreview(): Promise<void> {
    if (!props.mailboxId) return;
    setBusy(true);
    setPreviewError(null);
    try {
      setPreview(await previewAck(props.mailboxId, props.kind, templateBody(props.value)));
    } catch (e) {
      const fields = fieldErrors(e);
      setPreview(null);
      setPreviewError(
        Object.keys(fields).length
          ? Object.entries(fields)
              .map(([k, v]) => `${k.replace(/^template\.?/, '') || 'template'}: ${v.join('; ')}`)
              .join(' · ')
          : errorMessage(e),
      );
    } finally {
      setBusy(false);
    }
  }

  const partError = (part: string) => (
    <Show when={err(part).length > 0}>
      <p class="field-error" role="alert" data-testid={`error-${props.field}.${part}`}>
        {err(part).join('; ')}
      </p>
    </Show>
  );

  return (
    <div class="template-editor" data-testid={`template-${props.kind}`}>
      <h4>{KIND_LABELS[props.kind]}</h4>
      <label class="admin-check">
        <input type="checkbox" data-testid={id('custom')} checked={props.value.custom} onChange={(e) => props.onChange({ custom: e.currentTarget.checked })} />
        Use our own wording (otherwise edgecase’s default)
      </label>
      <Show when={wholeErr().length > 0}>
        <p class="field-error" role="alert" data-testid={`error-${props.field}`}>
          {wholeErr().join('; ')}
        </p>
      </Show>
      <Show when={props.value.custom}>
        <p class="hint">
          Placeholders:{' '}
          <For each={ACK_PLACEHOLDERS}>
            {(name) => (
              <>
                <code data-testid="template-placeholder" title={PLACEHOLDER_HINTS[name]}>{`{{${name}}}`}</code>{' '}
              </>
            )}
          </For>
          — the customer’s own text is never repeated.
        </p>
        <div class="admin-field" classList={{ invalid: err('subject').length > 0 }}>
          <label for={id('subject')}>Subject</label>
          <input type="text" id={id('subject')} data-testid={id('subject')} value={props.value.subject} onInput={(e) => props.onChange({ subject: e.currentTarget.value })} />
          {partError('subject')}
        </div>
        <div class="admin-field" classList={{ invalid: err('text').length > 0 }}>
          <label for={id('text')}>Text</label>
          <textarea id={id('text')} data-testid={id('text')} value={props.value.text} onInput={(e) => props.onChange({ text: e.currentTarget.value })} />
          {partError('text')}
        </div>
        <label class="admin-check">
          <input type="checkbox" checked={props.value.withHtml} onChange={(e) => props.onChange({ withHtml: e.currentTarget.checked })} />
          With an HTML part of our own (otherwise made from the text)
        </label>
        <Show when={props.value.withHtml}>
          <div class="admin-field" classList={{ invalid: err('html').length > 0 }}>
            <label for={id('html')}>HTML</label>
            <textarea id={id('html')} data-testid={id('html')} value={props.value.html} onInput={(e) => props.onChange({ html: e.currentTarget.value })} />
            {partError('html')}
          </div>
        </Show>
      </Show>
      <div class="admin-actions">
        <button type="button" data-testid={id('preview')} disabled={busy() || !props.mailboxId} onClick={() => void runPreview()}>
          Preview
        </button>
        <Show when={!props.mailboxId}>
          <span class="hint">Create the mailbox first to preview.</span>
        </Show>
      </div>
      <Show when={previewError()}>
        <p class="field-error" role="alert">
          {previewError()}
        </p>
      </Show>
      <Show when={preview()}>
        {(p) => (
          <div class="preview" data-testid={`preview-${props.kind}`}>
            <div>
              <strong>Subject:</strong> {p().subject}
            </div>
            <div class="muted">Text part</div>
            <pre>{p().text}</pre>
            <div class="muted">HTML part, shown as text</div>
            <pre>{p().htmlAsText}</pre>
            <Show when={p().problems.length > 0}>
              <ul class="field-error">
                <For each={p().problems}>
                  {(x) => (
                    <li>
                      {x.part}: {x.message}
                    </li>
                  )}
                </For>
              </ul>
            </Show>
            <p class="hint">
              Filled with sample values:{' '}
              {Object.entries(p().values)
                .map(([k, v]) => `${k} = ${v}`)
                .join(', ')}
              .
            </p>
          </div>
        )}
      </Show>
    </div>
  );
}
