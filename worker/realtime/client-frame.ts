// What the hub accepts from an agent's browser. A socket's messages are untrusted text: anything
// that is not a JSON object with a known `type` is dropped here, so the hub's switch over
// ClientFrame can be exhaustive and end in assertNever without a hostile frame ever reaching it.
import type { ClientFrame } from '../protocol/events.ts';

/** Every kind of client frame; `satisfies` makes a new kind in the protocol a type error here. */
const CLIENT_FRAME_TYPES = { presence: true, resume: true } as const satisfies Record<ClientFrame['type'], true>;

/**
 * The frame, or null for text that is not JSON, not an object, or of no known type. Only `type` is
 * checked: the hub reads each field defensively (a presence frame's `viewing` may be anything).
 */
export function readClientFrame(message: string): ClientFrame | null {
  let value: unknown;
  try {
    value = JSON.parse(message);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const type = (value as { type?: unknown }).type;
  // Object.hasOwn, not `in`: `{"type": "toString"}` must not pass as a kind.
  return typeof type === 'string' && Object.hasOwn(CLIENT_FRAME_TYPES, type) ? (value as ClientFrame) : null;
}
