// /api/admin/teams: teams, their assign mode and members.
import { z } from 'zod';

export const ASSIGN_MODES = ['off', 'round-robin', 'least-open'] as const;

const teamName = z.string().trim().min(1, 'a team needs a name').max(60, 'a team name has at most 60 characters');

export const createTeamBody = z.object({ name: teamName, assignMode: z.enum(ASSIGN_MODES).default('round-robin') }).strict();
export const updateTeamBody = z
  .object({ name: teamName.optional(), assignMode: z.enum(ASSIGN_MODES).optional() })
  .strict()
  .refine((b) => b.name !== undefined || b.assignMode !== undefined, { message: 'nothing to change' });
export const teamMembersBody = z.object({ agentIds: z.array(z.string().min(1).max(100)).max(200) }).strict();
