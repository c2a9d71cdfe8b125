// A labelled setting of the mailbox form with its hint and the API's messages about it; a checkbox.
import { Show, type JSX } from 'solid-js';
import type { FieldErrors } from '../../api/errors.ts';

export function Field(props: { name: string; label: string; hint?: JSX.Element; errors: FieldErrors; children: JSX.Element }) {
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

export function Check(props: { name: string; label: string; checked: boolean; onChange: (v: boolean) => void; errors: FieldErrors }) {
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
