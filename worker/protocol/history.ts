// A case's history as the case view shows it: one line per change, from the events table, with the
// names of who made it resolved when it is read (a renamed agent shows under the new name).

/** Who made a change: an agent, the customer's mail, a rule, or the system (the SLA clock, a snooze waking). */
export type HistoryActorKind = 'agent' | 'contact' | 'rule' | 'system';

export interface HistoryLine {
  seq: number;
  at: number;
  actor: { kind: HistoryActorKind; name: string };
  /** A sentence that starts with the actor's name: "Ana assigned this to Team Billing". */
  text: string;
}

export interface CaseHistory {
  lines: HistoryLine[];
  /** The last seq the history reflects; a later event of the case means it grew. */
  lastSeq: number;
}
