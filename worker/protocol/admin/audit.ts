// /api/admin/audit: who changed which setting, when.
import { z } from 'zod';

export const AUDIT_ENTITIES = ['mailbox', 'agent', 'setup', 'sla-policy', 'calendar', 'tag', 'team', 'snippet', 'rule', 'organisation', 'contact'] as const;
export type AuditEntity = (typeof AUDIT_ENTITIES)[number];

export const auditQuery = z.object({
  entity: z.enum(AUDIT_ENTITIES, `entity must be one of ${AUDIT_ENTITIES.join(', ')}`).optional(),
  entityId: z.string().min(1).max(100).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});

export interface AuditEntry {
  id: string;
  actor: string;
  /** The actor's name when the actor is an agent of the workspace. */
  actorName: string | null;
  entity: AuditEntity;
  entityId: string;
  action: string;
  changes: Record<string, [unknown, unknown]>;
  at: number;
}
