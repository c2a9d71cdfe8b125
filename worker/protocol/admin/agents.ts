// /api/admin/agents: inviting, changing and deactivating agents, and their passwords.
import { z } from 'zod';
import { AGENT_ROLES } from '../session.ts';
import { CONTROL, emailAddress } from './fields.ts';
import { teamName } from './mailboxes.ts';

export const MIN_ADMIN_PASSWORD_LENGTH = 12;

const agentName = z
  .string('the name must be text')
  .trim()
  .min(1, 'the name may not be empty')
  .max(100, 'the name may have at most 100 characters')
  .refine((s) => !CONTROL.test(s), 'the name may not contain line breaks or control characters');
const role = z.enum(AGENT_ROLES, `the role must be one of ${AGENT_ROLES.join(', ')}`);

export const inviteAgentBody = z
  .object({
    email: emailAddress('the email address'),
    name: agentName,
    role: role.default('agent'),
    team: teamName.nullable().optional(),
  })
  .strict();

export const updateAgentBody = z
  .object({
    name: agentName,
    role,
    team: teamName.nullable(),
    available: z.boolean('available must be true or false'),
    notifyAssignment: z.boolean('notifyAssignment must be true or false'),
    notifyCustomerReply: z.boolean('notifyCustomerReply must be true or false'),
    notifySla: z.boolean('notifySla must be true or false'),
    notifyMention: z.boolean('notifyMention must be true or false'),
  })
  .partial()
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'nothing to change');

export const deactivateAgentBody = z
  .object({
    /** Who takes over the agent's cases that are not closed; null or absent: nobody (unassigned). */
    reassignTo: z.string().min(1).max(100).nullable().optional(),
  })
  .strict();

export const setPasswordBody = z
  .object({
    password: z
      .string('the password must be text')
      .min(MIN_ADMIN_PASSWORD_LENGTH, `the password must have at least ${MIN_ADMIN_PASSWORD_LENGTH} characters`)
      .max(1024, 'the password may have at most 1024 characters'),
  })
  .strict();

export interface AgentAdminView {
  id: string;
  email: string;
  name: string;
  role: (typeof AGENT_ROLES)[number];
  active: boolean;
  team: string | null;
  available: boolean;
  notifyAssignment: boolean;
  notifyCustomerReply: boolean;
  notifySla: boolean;
  notifyMention: boolean;
  /** Whether a password is set (AUTH_MODE=password); the hash never leaves the Worker. */
  hasPassword: boolean;
  lastAssignedAt: number | null;
  /** Cases assigned to the agent that are not closed. */
  openCases: number;
  createdAt: number;
}

export interface DeactivateResult {
  agent: AgentAdminView;
  /** How many cases changed hands, and to whom (null: unassigned). */
  reassigned: number;
  reassignedTo: { id: string; name: string } | null;
}
