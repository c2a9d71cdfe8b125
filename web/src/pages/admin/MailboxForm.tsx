// The form with every setting of one mailbox (or of a new one). The API validates; its messages
// appear next to the fields they are about, anything else above the form.
import { For, Show, createSignal, type JSX } from 'solid-js';
import { createStore, unwrap } from 'solid-js/store';
import {
  ACK_TEMPLATE_FIELDS,
  FOLLOW_UP_POLICIES,
  MAILBOX_LIMITS,
  REPLY_POLICIES,
  UNVERIFIED_POLICIES,
  type AckTemplateKind,
  type MailboxOptions,
  type MailboxSettings,
} from '../../../../worker/protocol/admin.ts';
import { createMailbox, updateMailbox } from '../../api/admin.ts';
import { errorMessage, fieldErrors, type FieldErrors } from '../../api/errors.ts';
import { Check, Field } from './fields.tsx';
import { type Draft, NEW_MAILBOX, type NUMBER_FIELDS, changedOnly, mib, toBody, toDraft } from './mailboxDraft.ts';
import { TemplateEditor } from './TemplateEditor.tsx';

export function MailboxForm(props: { mailbox: MailboxSettings; options: MailboxOptions; onSaved: (m: MailboxSettings) => void; justSaved: boolean; onEdit: () => void }) {
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
