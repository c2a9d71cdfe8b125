// The pure parts of merging: the merged SLA state (earliest due per target, a first response met in
// either case) and what counts as a similar subject for a merge suggestion.
import { describe, expect, it } from 'vitest';
import { mergedSlaState } from '../../../worker/cases/merge-sla.ts';
import { similarSubjects } from '../../../worker/cases/suggest.ts';
import type { Case } from '../../../worker/db/schema.ts';

const H = 3_600_000;

function clocks(over: Partial<Case>): Case {
  return {
    firstResponseDueAt: null,
    nextResponseDueAt: null,
    resolutionDueAt: null,
    firstRespondedAt: null,
    slaPausedAt: null,
    slaWarnedMask: 0,
    slaBreachedMask: 0,
    ...over,
  } as Case;
}

describe('mergedSlaState', () => {
  it('takes the earliest due time of each target, whichever case it comes from', () => {
    const s = mergedSlaState(clocks({ firstResponseDueAt: 5 * H, resolutionDueAt: 50 * H }), [clocks({ firstResponseDueAt: 2 * H, resolutionDueAt: 70 * H }), clocks({ resolutionDueAt: 40 * H })]);
    expect(s).toMatchObject({ firstResponseDueAt: 2 * H, resolutionDueAt: 40 * H, nextResponseDueAt: null, firstRespondedAt: null });
  });

  it("a first response met in an absorbed case is met; the survivor's unmet one is owed as the next response; its warning is over, a breach stays", () => {
    const s = mergedSlaState(clocks({ firstResponseDueAt: 3 * H, slaWarnedMask: 1, slaBreachedMask: 4 }), [clocks({ firstRespondedAt: H, nextResponseDueAt: 9 * H })]);
    expect(s).toMatchObject({ firstRespondedAt: H, firstResponseDueAt: null, nextResponseDueAt: 3 * H, warnedMask: 0, breachedMask: 4 });
  });

  it("keeps the survivor's pause (its status decides)", () => {
    expect(mergedSlaState(clocks({ slaPausedAt: 7 }), [clocks({ slaPausedAt: null })]).pausedAt).toBe(7);
    expect(mergedSlaState(clocks({}), [clocks({ slaPausedAt: 7 })]).pausedAt).toBeNull();
  });
});

describe('similarSubjects', () => {
  it.each([
    ['Where is my order?', 'RE: [#12] where is my order?', true],
    ['Printer jams', 'Printer jams again', true],
    ['Invoice 4411 wrong amount', 'Wrong amount on invoice 4411', true],
    ['Order 1001 is late', 'Invoice is wrong', false],
    ['Hi', 'Hello', false],
    ['', 'anything', false],
  ])('%s ~ %s: %s', (a, b, same) => {
    expect(similarSubjects(a, b)).toBe(same);
  });
});
