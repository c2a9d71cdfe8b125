// The data model. This file is the authority: `npm run db:generate` turns changes into a new
// flat migration under migrations/, which wrangler and the test setup both apply.
// Times are integers (milliseconds since the epoch, UTC); lists are JSON text.
//
// The tables live in schema/ by area; this entry is what drizzle.config.ts reads and what every
// module imports, so a table may move between those files without an importer noticing.

export * from './schema/agents.ts';
export * from './schema/cases.ts';
export * from './schema/mail.ts';
export * from './schema/outbox.ts';
export * from './schema/sla.ts';
export * from './schema/work.ts';
export * from './schema/search.ts';
export * from './schema/answer.ts';
