// Who a case can be given to (GET /api/teams): the workspace's active agents and its teams with
// their members, for the assignment picker.

export type AssignMode = 'off' | 'round-robin' | 'least-open';

export interface AssignableAgent {
  id: string;
  name: string;
  email: string;
  /** Off while away: a team's auto-assignment passes them by (they can still be chosen by name). */
  available: boolean;
}

export interface TeamView {
  id: string;
  name: string;
  assignMode: AssignMode;
  /** Active members' agent ids. */
  memberIds: string[];
}

export interface Assignables {
  agents: AssignableAgent[];
  teams: TeamView[];
}
