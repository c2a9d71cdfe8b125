// The administration API (/api/admin/*): request schemas and response shapes, for the Worker and the
// web app. Only shapes and ranges live here; checks that need the database (an agent exists, an
// address is free) or the template rules (mail/templates.ts) run in worker/admin/.
//
// Each admin area has its file in admin/; this entry is what the Worker and the web app import.

export * from './admin/agents.ts';
export * from './admin/audit.ts';
export { emailAddress } from './admin/fields.ts';
export * from './admin/import.ts';
export * from './admin/mailboxes.ts';
export * from './admin/setup.ts';
export * from './admin/teams.ts';
