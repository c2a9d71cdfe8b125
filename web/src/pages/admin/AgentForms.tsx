// The forms of the agents page: edit an agent, deactivate one (handing their cases on), set a
// password, add an agent. Each says what it did through onDone, or why it failed next to its fields.
import { For, Show, createSignal, type JSX } from 'solid-js';
import type { AgentAdminView } from '../../../../worker/protocol/admin.ts';
import { deactivateAgent, inviteAgent, setAgentPassword, updateAgent } from '../../api/admin.ts';
import { errorMessage, fieldErrors, type FieldErrors } from '../../api/errors.ts';
import { authMode } from '../../stores/session.ts';

/** A form's last lines: why it failed, if it did, and its submit button. */
function FormFooter(props: { failure: string | null; busy: boolean; testId: string; children: JSX.Element }) {
  return (
    <>
      <Show when={props.failure}>
        <p class="field-error" role="alert">
          {props.failure}
        </p>
      </Show>
      <div class="admin-actions">
        <button type="submit" class="primary" data-testid={props.testId} disabled={props.busy}>
          {props.children}
        </button>
      </div>
    </>
  );
}

function FieldError(props: { errors: FieldErrors; name: string }) {
  return (
    <Show when={(props.errors[props.name] ?? []).length > 0}>
      <p class="field-error" role="alert" data-testid="agent-field-error">
        {props.errors[props.name]!.join('; ')}
      </p>
    </Show>
  );
}

export function EditAgent(props: { agent: AgentAdminView; onDone: (message: string) => void }) {
  const a = props.agent;
  const [name, setName] = createSignal(a.name);
  const [role, setRole] = createSignal(a.role);
  const [team, setTeam] = createSignal(a.team ?? '');
  const [available, setAvailable] = createSignal(a.available);
  const [notifyAssignment, setNotifyAssignment] = createSignal(a.notifyAssignment);
  const [notifyCustomerReply, setNotifyCustomerReply] = createSignal(a.notifyCustomerReply);
  const [notifySla, setNotifySla] = createSignal(a.notifySla);
  const [notifyMention, setNotifyMention] = createSignal(a.notifyMention);
  const [errors, setErrors] = createSignal<FieldErrors>({});
  const [failure, setFailure] = createSignal<string | null>(null);
  const [busy, setBusy] = createSignal(false);

  async function save(e: Event): Promise<void> {
    e.preventDefault();
    const next: Record<string, unknown> = {
      name: name(),
      role: role(),
      team: team().trim() === '' ? null : team(),
      available: available(),
      notifyAssignment: notifyAssignment(),
      notifyCustomerReply: notifyCustomerReply(),
      notifySla: notifySla(),
      notifyMention: notifyMention(),
    };
    const before: Record<string, unknown> = { ...a };
    const changed = Object.fromEntries(Object.entries(next).filter(([k, v]) => v !== before[k]));
    if (Object.keys(changed).length === 0) return props.onDone('Nothing to change.');
    setBusy(true);
    setErrors({});
    setFailure(null);
    try {
      const saved = await updateAgent(a.id, changed);
      props.onDone(`Saved ${saved.name}.`);
    } catch (err) {
      setErrors(fieldErrors(err));
      // The problems are under their fields already.
      setFailure(errorMessage(err, { details: false }));
    } finally {
      setBusy(false);
    }
  }

  const check = (label: string, value: () => boolean, set: (v: boolean) => void, name: string) => (
    <label class="admin-check">
      <input type="checkbox" data-testid={`agent-field-${name}`} checked={value()} onChange={(e) => set(e.currentTarget.checked)} />
      {label}
    </label>
  );

  return (
    <form class="admin-panel admin-form" data-testid="agent-form" onSubmit={(e) => void save(e)} novalidate>
      <div class="admin-field">
        <label for="agent-name">Name</label>
        <input id="agent-name" type="text" data-testid="agent-field-name" value={name()} onInput={(e) => setName(e.currentTarget.value)} />
        <FieldError errors={errors()} name="name" />
      </div>
      <div class="admin-field">
        <label for="agent-role">Role</label>
        <select id="agent-role" data-testid="agent-field-role" value={role()} onChange={(e) => setRole(e.currentTarget.value as typeof a.role)}>
          <option value="agent">agent</option>
          <option value="admin">admin</option>
        </select>
        <FieldError errors={errors()} name="role" />
      </div>
      <div class="admin-field">
        <label for="agent-team">Team</label>
        <input id="agent-team" type="text" data-testid="agent-field-team" value={team()} placeholder="none" onInput={(e) => setTeam(e.currentTarget.value)} />
        <p class="hint">A mailbox whose default is this team hands its new cases round-robin to the team’s available agents.</p>
        <FieldError errors={errors()} name="team" />
      </div>
      {check('Available for round-robin (off while away)', available, setAvailable, 'available')}
      {check('Mail me when a case is assigned to me', notifyAssignment, setNotifyAssignment, 'notifyAssignment')}
      {check('Mail me when a customer replies in my case', notifyCustomerReply, setNotifyCustomerReply, 'notifyCustomerReply')}
      {check('Mail me about SLA warnings and breaches', notifySla, setNotifySla, 'notifySla')}
      {check('Mail me when someone mentions me in a note', notifyMention, setNotifyMention, 'notifyMention')}
      <FormFooter failure={failure()} busy={busy()} testId="agent-save">
        Save
      </FormFooter>
    </form>
  );
}

export function DeactivateAgent(props: { agent: AgentAdminView; others: AgentAdminView[]; onDone: (message: string) => void }) {
  const [heir, setHeir] = createSignal('');
  const [failure, setFailure] = createSignal<string | null>(null);
  const [busy, setBusy] = createSignal(false);

  async function confirm(e: Event): Promise<void> {
    e.preventDefault();
    setBusy(true);
    setFailure(null);
    try {
      const r = await deactivateAgent(props.agent.id, heir() || null);
      const moved = r.reassigned === 0 ? 'They had no open cases.' : r.reassignedTo ? `${r.reassigned} case(s) went to ${r.reassignedTo.name}.` : `${r.reassigned} case(s) are now unassigned.`;
      props.onDone(`${props.agent.name} is deactivated. ${moved}`);
    } catch (err) {
      setFailure(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="admin-panel" data-testid="deactivate-form" onSubmit={(e) => void confirm(e)}>
      <p>
        {props.agent.name} will no longer be able to sign in, and round-robin skips them. Their {props.agent.openCases} case(s) that are not closed go to:
      </p>
      <select data-testid="deactivate-reassign" value={heir()} onChange={(e) => setHeir(e.currentTarget.value)}>
        <option value="">Nobody (leave them unassigned)</option>
        <For each={props.others}>{(o) => <option value={o.id}>{o.name}</option>}</For>
      </select>
      <FormFooter failure={failure()} busy={busy()} testId="deactivate-confirm">
        Deactivate {props.agent.name}
      </FormFooter>
    </form>
  );
}

export function SetPassword(props: { agent: AgentAdminView; onDone: (message: string) => void }) {
  const [password, setPassword] = createSignal('');
  const [errors, setErrors] = createSignal<FieldErrors>({});
  const [failure, setFailure] = createSignal<string | null>(null);
  const [busy, setBusy] = createSignal(false);

  async function save(e: Event): Promise<void> {
    e.preventDefault();
    setBusy(true);
    setErrors({});
    setFailure(null);
    try {
      await setAgentPassword(props.agent.id, password());
      props.onDone(`New password set for ${props.agent.name}; their other sessions were signed out. Tell them the password in person or over a channel you trust.`);
    } catch (err) {
      const f = fieldErrors(err);
      setErrors(f);
      if (!f.password) setFailure(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="admin-panel admin-form" data-testid="password-form" onSubmit={(e) => void save(e)} novalidate>
      <div class="admin-field">
        <label for="agent-password">New password</label>
        <input id="agent-password" type="password" autocomplete="new-password" data-testid="password-input" value={password()} onInput={(e) => setPassword(e.currentTarget.value)} />
        <p class="hint">At least 12 characters.</p>
        <FieldError errors={errors()} name="password" />
      </div>
      <FormFooter failure={failure()} busy={busy()} testId="password-save">
        Set password
      </FormFooter>
    </form>
  );
}

export function InviteAgent(props: { onDone: (message: string) => void }) {
  const [email, setEmail] = createSignal('');
  const [name, setName] = createSignal('');
  const [role, setRole] = createSignal('agent');
  const [team, setTeam] = createSignal('');
  const [errors, setErrors] = createSignal<FieldErrors>({});
  const [failure, setFailure] = createSignal<string | null>(null);
  const [busy, setBusy] = createSignal(false);

  async function invite(e: Event): Promise<void> {
    e.preventDefault();
    setBusy(true);
    setErrors({});
    setFailure(null);
    try {
      const a = await inviteAgent({ email: email(), name: name(), role: role(), team: team().trim() === '' ? null : team() });
      setEmail('');
      setName('');
      setTeam('');
      const next =
        authMode() === 'password'
          ? ' Set a password for them (Set password in their row) and tell them.'
          : authMode() === 'access'
            ? ' They sign in through Cloudflare Access with this address; make sure your Access policy lets it in.'
            : '';
      props.onDone(`${a.name} was added.${next}`);
    } catch (err) {
      const f = fieldErrors(err);
      setErrors(f);
      if (Object.keys(f).length === 0) setFailure(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="admin-panel admin-form" data-testid="invite-form" onSubmit={(e) => void invite(e)} novalidate>
      <h3>Add an agent</h3>
      <div class="admin-field">
        <label for="invite-email">Email</label>
        <input id="invite-email" type="email" data-testid="invite-email" value={email()} onInput={(e) => setEmail(e.currentTarget.value)} />
        <FieldError errors={errors()} name="email" />
      </div>
      <div class="admin-field">
        <label for="invite-name">Name</label>
        <input id="invite-name" type="text" data-testid="invite-name" value={name()} onInput={(e) => setName(e.currentTarget.value)} />
        <FieldError errors={errors()} name="name" />
      </div>
      <div class="admin-field">
        <label for="invite-role">Role</label>
        <select id="invite-role" data-testid="invite-role" value={role()} onChange={(e) => setRole(e.currentTarget.value)}>
          <option value="agent">agent</option>
          <option value="admin">admin</option>
        </select>
      </div>
      <div class="admin-field">
        <label for="invite-team">Team</label>
        <input id="invite-team" type="text" data-testid="invite-team" value={team()} placeholder="none" onInput={(e) => setTeam(e.currentTarget.value)} />
        <FieldError errors={errors()} name="team" />
      </div>
      <FormFooter failure={failure()} busy={busy()} testId="invite-submit">
        Add agent
      </FormFooter>
    </form>
  );
}
