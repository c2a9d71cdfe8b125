// readClientFrame: what the hub takes from a socket; everything else is dropped before its switch.
import { describe, expect, it } from 'vitest';
import { readClientFrame } from '../../../worker/realtime/client-frame.ts';

describe('readClientFrame', () => {
  it('passes the known kinds through as they are', () => {
    expect(readClientFrame('{"type":"presence","viewing":"case_1","composing":null}')).toEqual({ type: 'presence', viewing: 'case_1', composing: null });
    expect(readClientFrame('{"type":"resume","since":12}')).toEqual({ type: 'resume', since: 12 });
  });

  it('leaves the fields to the hub: a presence frame with odd fields still passes', () => {
    expect(readClientFrame('{"type":"presence","viewing":42}')).toEqual({ type: 'presence', viewing: 42 });
  });

  it.each([
    ['not JSON', 'ping'],
    ['cut off', '{"type":"presence"'],
    ['null', 'null'],
    ['a string', '"presence"'],
    ['a number', '7'],
    ['an array', '[{"type":"presence"}]'],
    ['no type', '{"viewing":"case_1"}'],
    ['a type that is not text', '{"type":1}'],
    ['an unknown type', '{"type":"typing"}'],
    ['a server frame', '{"type":"hello","lastSeq":3}'],
    ['a name from Object.prototype', '{"type":"toString"}'],
    ['__proto__', '{"type":"__proto__"}'],
  ])('drops %s', (_what, message) => {
    expect(readClientFrame(message)).toBeNull();
  });
});
