// Mailbox settings (#/admin/mailboxes): the list of mailboxes, and a form with every setting of the
// chosen one (or of a new one). The API validates; its messages appear next to the fields they are
// about. Only what changed is sent.
//
// data-testids: admin-mailboxes (the page), mailbox-row (a mailbox in the list; data-id), mailbox-new
// (button), mailbox-form, field-<setting> (each input, named as in the API: field-displayName,
// field-catchAllAddress, …), error-<setting> (the API's message under a field), mailbox-save,
// mailbox-saved (confirmation), mailbox-error (a refusal not about one field), template-<kind>
// (the editor of the create / update / off-hours acknowledgement; kind as in the API), and in it
// template-<kind>-custom, -subject, -text, -html, -preview (button) and preview-<kind> (the result).
import { For, Show, createMemo, createResource, createSignal, type JSX } from 'solid-js';
import { createStore, unwrap } from 'solid-js/store';
import {
  ACK_TEMPLATE_FIELDS,
  FOLLOW_UP_POLICIES,
  MAILBOX_DEFAULTS,
  MAILBOX_LIMITS,
  REPLY_POLICIES,
  UNVERIFIED_POLICIES,
  type AckPreview,
  type AckTemplateBody,
  type AckTemplateKind,
  type MailboxOptions,
  type MailboxSettings,
} from '../../../../worker/protocol/admin.ts';
import { errorMessage } from '../../api/errors.ts';
import { formatSize } from '../../lib/format.ts';
import { createMailbox, listMailboxes, previewAck, updateMailbox } from '../../api/admin.ts';
import { fieldErrors, type FieldErrors } from '../../api/errors.ts';

interface TemplateDraft {
  custom: boolean;
  subject: string;
  text: string;
  withHtml: boolean;
  html: string;
}

/** The form's view of a mailbox: text as typed (numbers too, so the API can say what is wrong). */
interface Draft {
  address: string;
  displayName: string;
  enabled: boolean;
  defaultAssigneeId: string;
  defaultTeam: string;
  slaPolicyId: string;
  calendarId: string;
  slaOfficeHoursOnly: boolean;
  ackOnCreate: boolean;
  ackOnUpdate: boolean;
  ackCreateTemplate: TemplateDraft;
  ackUpdateTemplate: TemplateDraft;
  ackOffHoursTemplate: TemplateDraft;
  ackMaxPerCaseHour: string;
  ackMaxPerRecipientDay: string;
  replyPolicy: string;
  unverifiedPolicy: string;
  floodMaxPerSender: string;
  floodMaxIdentical: string;
  floodWindowMinutes: string;
  catchAllAddress: string;
  followUpPolicy: string;
  followUpDays: string;
  attachmentMaxCount: string;
  attachmentMaxBytes: string;
  attachmentAllowedTypes: string;
  maxMessageBytes: string;
}

type TemplateField = (typeof ACK_TEMPLATE_FIELDS)[AckTemplateKind];
const NUMBER_FIELDS = [
  'ackMaxPerCaseHour',
  'ackMaxPerRecipientDay',
  'floodMaxPerSender',
  'floodMaxIdentical',
  'floodWindowMinutes',
  'followUpDays',
  'attachmentMaxCount',
  'attachmentMaxBytes',
  'maxMessageBytes',
] as const;
const NULLABLE_FIELDS = ['defaultAssigneeId', 'defaultTeam', 'slaPolicyId', 'calendarId'] as const;
const PLAIN_FIELDS = ['address', 'displayName', 'enabled', 'slaOfficeHoursOnly', 'ackOnCreate', 'ackOnUpdate', 'replyPolicy', 'unverifiedPolicy', 'followUpPolicy'] as const;

/** A starting point when an admin switches a template to custom (the placeholders are the API's). */
const STARTER: Record<AckTemplateKind, Omit<TemplateDraft, 'custom' | 'withHtml'>> = {
  create: {
    subject: 'Re: {{case.subject}}',
    text: 'Hello {{customer.name}},\n\nThank you for writing to {{mailbox.name}}. Your message is now case #{{case.number}}.\nExpected first response: {{sla.first_response}}.\n\n{{mailbox.name}}',
    html: '',
  },
  update: {
    subject: 'Re: {{case.subject}}',
    text: 'Hello {{customer.name}},\n\nWe added your message to case #{{case.number}}; {{agent.name}} will get back to you.\n\n{{mailbox.name}}',
    html: '',
  },
  'off-hours': {
    subject: 'Re: {{case.subject}}',
    text: 'Hello {{customer.name}},\n\nThank you for writing to {{mailbox.name}}. Your message is case #{{case.number}}.\nWe are away right now and will answer {{sla.first_response}}.\n\n{{mailbox.name}}',
    html: '',
  },
};

const NEW_MAILBOX: MailboxSettings = { ...MAILBOX_DEFAULTS, id: '', address: '', displayName: '', createdAt: 0, updatedAt: 0 };

function templateDraft(t: AckTemplateBody | null, kind: AckTemplateKind): TemplateDraft {
  if (!t) return { custom: false, ...STARTER[kind], withHtml: false };
  return { custom: true, subject: t.subject, text: t.text, withHtml: t.html !== undefined, html: t.html ?? '' };
}

function toDraft(m: MailboxSettings): Draft {
  return {
    address: m.address,
    displayName: m.displayName,
    enabled: m.enabled,
    defaultAssigneeId: m.defaultAssigneeId ?? '',
    defaultTeam: m.defaultTeam ?? '',
    slaPolicyId: m.slaPolicyId ?? '',
    calendarId: m.calendarId ?? '',
    slaOfficeHoursOnly: m.slaOfficeHoursOnly,
    ackOnCreate: m.ackOnCreate,
    ackOnUpdate: m.ackOnUpdate,
    ackCreateTemplate: templateDraft(m.ackCreateTemplate, 'create'),
    ackUpdateTemplate: templateDraft(m.ackUpdateTemplate, 'update'),
    ackOffHoursTemplate: templateDraft(m.ackOffHoursTemplate, 'off-hours'),
    ackMaxPerCaseHour: String(m.ackMaxPerCaseHour),
    ackMaxPerRecipientDay: String(m.ackMaxPerRecipientDay),
    replyPolicy: m.replyPolicy,
    unverifiedPolicy: m.unverifiedPolicy,
    floodMaxPerSender: String(m.floodMaxPerSender),
    floodMaxIdentical: String(m.floodMaxIdentical),
    floodWindowMinutes: String(m.floodWindowMinutes),
    catchAllAddress: m.catchAllAddress ?? '',
    followUpPolicy: m.followUpPolicy,
    followUpDays: String(m.followUpDays),
    attachmentMaxCount: String(m.attachmentMaxCount),
    attachmentMaxBytes: String(m.attachmentMaxBytes),
    attachmentAllowedTypes: m.attachmentAllowedTypes.join(', '),
    maxMessageBytes: String(m.maxMessageBytes),
  };
}

function templateBody(t: TemplateDraft): AckTemplateBody | null {
  if (!t.custom) return null;
  return t.withHtml ? { subject: t.subject, text: t.text, html: t.html } : { subject: t.subject, text: t.text };
}

/** A number when it reads as one; otherwise the text as typed, which the API refuses with a reason. */
function numberOrText(s: string): number | string {
  const t = s.trim();
  const n = Number(t);
  return t !== '' && Number.isFinite(n) ? n : s;
}

/** The settings as the API takes them. */
function toBody(d: Draft): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const k of PLAIN_FIELDS) body[k] = d[k];
  for (const k of NULLABLE_FIELDS) body[k] = d[k].trim() === '' ? null : d[k];
  for (const k of NUMBER_FIELDS) body[k] = numberOrText(d[k]);
  body.catchAllAddress = d.catchAllAddress.trim() === '' ? null : d.catchAllAddress;
  body.attachmentAllowedTypes = d.attachmentAllowedTypes
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
  for (const kind of Object.keys(ACK_TEMPLATE_FIELDS) as AckTemplateKind[]) {
    const field = ACK_TEMPLATE_FIELDS[kind];
    body[field] = templateBody(d[field]);
  }
  return body;
}

/** Only the settings that differ from what was loaded. */
function changedOnly(before: Record<string, unknown>, after: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(after).filter(([k, v]) => JSON.stringify(v) !== JSON.stringify(before[k])));
}

const mib = (bytes: string) => {
  const n = Number(bytes);
  return Number.isFinite(n) && n > 0 ? formatSize(n) : '';
};

export function Mailboxes() {
  document.title = 'Mailboxes · edgecase';
  const [data, { refetch, mutate }] = createResource(listMailboxes);
  // The mailbox being edited: its id, 'new', or null (the first one).
  const [chosen, setChosen] = createSignal<string | null>(null);
  const current = createMemo<MailboxSettings | null>(() => {
    const d = data.error ? undefined : data();
    if (!d) return null;
    const id = chosen();
    if (id === 'new') return NEW_MAILBOX;
    return d.items.find((m) => m.id === id) ?? d.items[0] ?? null;
  });

  // Which mailbox was just saved: the confirmation survives the form being rebuilt for a new id.
  const [justSaved, setJustSaved] = createSignal<string | null>(null);
  const currentKey = () => {
    const m = current();
    return m ? m.id || 'new' : undefined;
  };

  function saved(m: MailboxSettings): void {
    setJustSaved(m.id);
    mutate((prev) => {
      if (!prev) return prev;
      const exists = prev.items.some((i) => i.id === m.id);
      return { ...prev, items: exists ? prev.items.map((i) => (i.id === m.id ? m : i)) : [...prev.items, m] };
    });
    setChosen(m.id);
  }

  return (
    <div data-testid="admin-mailboxes">
      <Show when={data.error}>
        <div class="error" role="alert">
          <p>Could not load the mailboxes: {errorMessage(data.error)}</p>
          <button type="button" onClick={() => void refetch()}>
            Retry
          </button>
        </div>
      </Show>
      <Show when={!data.error && data()} fallback={<Show when={!data.error}>{<p class="loading">Loading…</p>}</Show>}>
        {(d) => (
          <div class="admin-split">
            <div>
              <h2>Mailboxes</h2>
              <ul class="admin-list">
                <For each={d().items}>
                  {(m) => (
                    <li>
                      <button
                        type="button"
                        data-testid="mailbox-row"
                        data-id={m.id}
                        classList={{ selected: current()?.id === m.id }}
                        onClick={() => {
                          setJustSaved(null);
                          setChosen(m.id);
                        }}
                      >
                        {m.displayName}
                        <span class="sub">
                          {m.address}
                          {m.enabled ? '' : ' · disabled'}
                        </span>
                      </button>
                    </li>
                  )}
                </For>
              </ul>
              <div class="admin-actions">
                <button
                  type="button"
                  data-testid="mailbox-new"
                  onClick={() => {
                    setJustSaved(null);
                    setChosen('new');
                  }}
                >
                  New mailbox
                </button>
              </div>
            </div>
            <Show when={currentKey()} keyed fallback={<p class="empty">No mailbox yet: create one for your support address.</p>}>
              {(_key) => <MailboxForm mailbox={current()!} options={d().options} onSaved={saved} justSaved={justSaved() === current()?.id} onEdit={() => setJustSaved(null)} />}
            </Show>
          </div>
        )}
      </Show>
    </div>
  );
}

function Field(props: { name: string; label: string; hint?: JSX.Element; errors: FieldErrors; children: JSX.Element }) {
  const messages = () => props.errors[props.name] ?? [];
  return (
    <div class="admin-field" classList={{ invalid: messages().length > 0 }}>
      <label for={`mb-${props.name}`}>{props.label}</label>
      <div>{props.children}</div>
      <Show when={props.hint}>
        <p class="hint">{props.hint}</p>
      </Show>
      <Show when={messages().length > 0}>
        <p class="field-error" role="alert" data-testid={`error-${props.name}`}>
          {messages().join('; ')}
        </p>
      </Show>
    </div>
  );
}

function Check(props: { name: string; label: string; checked: boolean; onChange: (v: boolean) => void; errors: FieldErrors }) {
  return (
    <div class="admin-field" classList={{ invalid: (props.errors[props.name] ?? []).length > 0 }}>
      <span class="label" />
      <label class="admin-check">
        <input type="checkbox" id={`mb-${props.name}`} data-testid={`field-${props.name}`} checked={props.checked} onChange={(e) => props.onChange(e.currentTarget.checked)} />
        {props.label}
      </label>
      <Show when={(props.errors[props.name] ?? []).length > 0}>
        <p class="field-error" role="alert" data-testid={`error-${props.name}`}>
          {props.errors[props.name]!.join('; ')}
        </p>
      </Show>
    </div>
  );
}

function MailboxForm(props: { mailbox: MailboxSettings; options: MailboxOptions; onSaved: (m: MailboxSettings) => void; justSaved: boolean; onEdit: () => void }) {
  const isNew = () => props.mailbox.id === '';
  // What the server has: a save sends only what differs from it.
  let loaded = toBody(toDraft(props.mailbox));
  const [draft, setDraft] = createStore<Draft>(toDraft(props.mailbox));
  const [errors, setErrors] = createSignal<FieldErrors>({});
  const [general, setGeneral] = createSignal<string | null>(null);
  const [busy, setBusy] = createSignal(false);

  // Field names the form shows; messages for anything else go to the general notice.
  const shown = new Set<string>([...Object.keys(toDraft(NEW_MAILBOX))]);
  const otherErrors = () =>
    Object.entries(errors())
      .filter(([k]) => !shown.has(k) && !k.startsWith('ack') && !k.startsWith('attachmentAllowedTypes.'))
      .map(([k, v]) => (k ? `${k}: ${v.join('; ')}` : v.join('; ')));
  const typeErrors = (): FieldErrors => {
    const all = Object.entries(errors()).filter(([k]) => k === 'attachmentAllowedTypes' || k.startsWith('attachmentAllowedTypes.'));
    return all.length ? { attachmentAllowedTypes: all.flatMap(([, v]) => v) } : {};
  };

  async function save(e: Event): Promise<void> {
    e.preventDefault();
    setBusy(true);
    setErrors({});
    setGeneral(null);
    try {
      const body = toBody(unwrap(draft));
      const result = isNew() ? await createMailbox(body) : await updateMailbox(props.mailbox.id, changedOnly(loaded, body));
      loaded = toBody(toDraft(result));
      props.onSaved(result);
    } catch (err) {
      const fields = fieldErrors(err);
      setErrors(fields);
      setGeneral(Object.keys(fields).length ? 'Not saved: fix the fields marked below.' : `Not saved: ${errorMessage(err)}`);
    } finally {
      setBusy(false);
    }
  }

  const text = (name: keyof Draft, type = 'text', extra: JSX.InputHTMLAttributes<HTMLInputElement> = {}) => (
    <input id={`mb-${name}`} type={type} data-testid={`field-${name}`} value={draft[name] as string} onInput={(e) => setDraft(name, e.currentTarget.value as never)} {...extra} />
  );
  const select = (name: keyof Draft, choices: Array<{ value: string; label: string }>) => (
    <select id={`mb-${name}`} data-testid={`field-${name}`} value={draft[name] as string} onChange={(e) => setDraft(name, e.currentTarget.value as never)}>
      <For each={choices}>{(c) => <option value={c.value}>{c.label}</option>}</For>
    </select>
  );
  const number = (name: (typeof NUMBER_FIELDS)[number], range: { min: number; max: number }) => text(name, 'text', { inputmode: 'numeric', placeholder: `${range.min}–${range.max}` });

  return (
    // Any edit takes the "Saved." away (input and change events bubble up to the form).
    <form class="admin-form" data-testid="mailbox-form" onSubmit={(e) => void save(e)} onInput={() => props.onEdit()} onChange={() => props.onEdit()} novalidate>
      <h2>{isNew() ? 'New mailbox' : props.mailbox.displayName}</h2>
      <Show when={general()}>
        <div class="error" role="alert" data-testid="mailbox-error">
          <p>{general()}</p>
          <For each={otherErrors()}>{(m) => <p>{m}</p>}</For>
        </div>
      </Show>

      <fieldset>
        <legend>Address</legend>
        <Field name="address" label="Receiving address" errors={errors()} hint="The support address customers write to, as routed to this Worker by Email Routing. Lower case; no “+”.">
          {text('address', 'email', { autocomplete: 'off' })}
        </Field>
        <Field name="displayName" label="Display name" errors={errors()} hint="The sender name on mail from this mailbox, and {{mailbox.name}} in templates.">
          {text('displayName')}
        </Field>
        <Check name="enabled" label="Enabled (a disabled mailbox refuses mail: the sender gets a bounce)" checked={draft.enabled} onChange={(v) => setDraft('enabled', v)} errors={errors()} />
        <Field name="maxMessageBytes" label="Largest message (bytes)" errors={errors()} hint={`${mib(draft.maxMessageBytes)}; at most 25 MiB (the Email Routing limit).`}>
          {number('maxMessageBytes', MAILBOX_LIMITS.maxMessageBytes)}
        </Field>
      </fieldset>

      <fieldset>
        <legend>Who gets new cases</legend>
        <Field name="defaultAssigneeId" label="Default assignee" errors={errors()} hint="Every new case goes to this agent…">
          {select('defaultAssigneeId', [{ value: '', label: 'Nobody' }, ...props.options.agents.map((a) => ({ value: a.id, label: `${a.name} <${a.email}>` }))])}
        </Field>
        <Field name="defaultTeam" label="…or round-robin to team" errors={errors()} hint="…or to the available agent of this team who got a case least recently. Choose one of the two.">
          {select('defaultTeam', [{ value: '', label: 'No team' }, ...props.options.teams.map((t) => ({ value: t, label: t }))])}
        </Field>
      </fieldset>

      <fieldset>
        <legend>SLA</legend>
        <Field name="slaPolicyId" label="SLA policy" errors={errors()}>
          {select('slaPolicyId', [{ value: '', label: 'No SLA' }, ...props.options.slaPolicies.map((p) => ({ value: p.id, label: p.name }))])}
        </Field>
        <Field name="calendarId" label="Calendar" errors={errors()} hint="Office hours: for office-hours-only SLA clocks and the off-hours acknowledgement.">
          {select('calendarId', [{ value: '', label: 'None (always open)' }, ...props.options.calendars.map((c) => ({ value: c.id, label: `${c.name} (${c.timeZone})` }))])}
        </Field>
        <Check name="slaOfficeHoursOnly" label="SLA clocks run in office hours only" checked={draft.slaOfficeHoursOnly} onChange={(v) => setDraft('slaOfficeHoursOnly', v)} errors={errors()} />
      </fieldset>

      <fieldset>
        <legend>Acknowledgements</legend>
        <Check name="ackOnCreate" label="Acknowledge new cases" checked={draft.ackOnCreate} onChange={(v) => setDraft('ackOnCreate', v)} errors={errors()} />
        <Check name="ackOnUpdate" label="Acknowledge replies to a case" checked={draft.ackOnUpdate} onChange={(v) => setDraft('ackOnUpdate', v)} errors={errors()} />
        <Field name="ackMaxPerCaseHour" label="At most per case per hour" errors={errors()}>
          {number('ackMaxPerCaseHour', MAILBOX_LIMITS.ackMaxPerCaseHour)}
        </Field>
        <Field name="ackMaxPerRecipientDay" label="At most per recipient per day" errors={errors()}>
          {number('ackMaxPerRecipientDay', MAILBOX_LIMITS.ackMaxPerRecipientDay)}
        </Field>
        <For each={Object.keys(ACK_TEMPLATE_FIELDS) as AckTemplateKind[]}>
          {(kind) => (
            <TemplateEditor
              kind={kind}
              mailboxId={isNew() ? null : props.mailbox.id}
              value={draft[ACK_TEMPLATE_FIELDS[kind]]}
              onChange={(patch) => setDraft(ACK_TEMPLATE_FIELDS[kind], patch)}
              errors={errors()}
              field={ACK_TEMPLATE_FIELDS[kind]}
            />
          )}
        </For>
      </fieldset>

      <fieldset>
        <legend>Who may write into a case</legend>
        <Field
          name="replyPolicy"
          label="Replies to a case from"
          errors={errors()}
          hint="participants: only people already in the case; verified: also senders Cloudflare verified; any: anyone who finds it."
        >
          {select(
            'replyPolicy',
            REPLY_POLICIES.map((p) => ({ value: p, label: p })),
          )}
        </Field>
        <Field name="unverifiedPolicy" label="Unverified senders" errors={errors()} hint="token-only: a sender Cloudflare could not verify joins a case only through the signed reply address.">
          {select(
            'unverifiedPolicy',
            UNVERIFIED_POLICIES.map((p) => ({ value: p, label: p })),
          )}
        </Field>
        <Field
          name="catchAllAddress"
          label="Catch-all address"
          errors={errors()}
          hint="Held mail (not a participant, unverified, failed authentication) is also forwarded here. A verified destination in Email Routing; empty for none."
        >
          {text('catchAllAddress', 'email', { autocomplete: 'off' })}
        </Field>
      </fieldset>

      <fieldset>
        <legend>Closed cases and floods</legend>
        <Field name="followUpPolicy" label="A reply to a closed case" errors={errors()} hint="reopen it; open a new linked case; or reopen only within the days below.">
          {select(
            'followUpPolicy',
            FOLLOW_UP_POLICIES.map((p) => ({ value: p, label: p })),
          )}
        </Field>
        <Field name="followUpDays" label="Days (reopen-within)" errors={errors()}>
          {number('followUpDays', MAILBOX_LIMITS.followUpDays)}
        </Field>
        <Field name="floodMaxPerSender" label="Flood: messages per sender" errors={errors()}>
          {number('floodMaxPerSender', MAILBOX_LIMITS.floodMaxPerSender)}
        </Field>
        <Field name="floodMaxIdentical" label="Flood: identical messages" errors={errors()}>
          {number('floodMaxIdentical', MAILBOX_LIMITS.floodMaxIdentical)}
        </Field>
        <Field name="floodWindowMinutes" label="Flood window (minutes)" errors={errors()}>
          {number('floodWindowMinutes', MAILBOX_LIMITS.floodWindowMinutes)}
        </Field>
      </fieldset>

      <fieldset>
        <legend>Attachments</legend>
        <Field name="attachmentMaxCount" label="At most per message" errors={errors()} hint="Inline images do not count. Skipped attachments stay in the raw message.">
          {number('attachmentMaxCount', MAILBOX_LIMITS.attachmentMaxCount)}
        </Field>
        <Field name="attachmentMaxBytes" label="Largest attachment (bytes)" errors={errors()} hint={`${mib(draft.attachmentMaxBytes)}; from 1 KiB to 25 MiB.`}>
          {number('attachmentMaxBytes', MAILBOX_LIMITS.attachmentMaxBytes)}
        </Field>
        <Field name="attachmentAllowedTypes" label="Allowed types" errors={typeErrors()} hint="type/subtype or type/*, separated by commas (image/*, application/pdf). Empty: any type.">
          {text('attachmentAllowedTypes')}
        </Field>
      </fieldset>

      <div class="admin-actions">
        <button type="submit" class="primary" data-testid="mailbox-save" disabled={busy()}>
          {busy() ? 'Saving…' : isNew() ? 'Create mailbox' : 'Save changes'}
        </button>
        <Show when={props.justSaved}>
          <span class="admin-ok" role="status" data-testid="mailbox-saved">
            Saved.
          </span>
        </Show>
      </div>
    </form>
  );
}

const KIND_LABELS: Record<AckTemplateKind, string> = {
  create: 'New case acknowledgement',
  update: 'Reply acknowledgement',
  'off-hours': 'New case acknowledgement outside office hours',
};

function TemplateEditor(props: {
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
          Placeholders: <code>{'{{case.number}}'}</code> <code>{'{{case.subject}}'}</code> <code>{'{{customer.name}}'}</code> <code>{'{{mailbox.name}}'}</code> <code>{'{{agent.name}}'}</code>{' '}
          <code>{'{{sla.first_response}}'}</code>. The customer’s own text is never repeated.
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
