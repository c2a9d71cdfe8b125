// /api/admin/import: importing old mail, one message or an uploaded archive.

/**
 * An archive uploaded from the admin pages goes through in one request, so it is kept small: every
 * message takes a few dozen D1 and R2 calls, and a Worker request has a budget of them. Bigger
 * archives go through `npm run import`, one message per request.
 */
export const IMPORT_UPLOAD_LIMITS = { maxBytes: 10 * 1024 * 1024, maxMessages: 200 } as const;

/** What became of one imported message (the answer of a single-message import). */
export interface ImportedMessage {
  inboundId: string;
  /** The inbound row's status: `processed` means filed into a case. */
  status: string;
  reason: string | null;
  caseId: string | null;
  /** Imported (or received) before: nothing changed. */
  duplicate: boolean;
  /** The pipeline's action, e.g. `new-case` or `append`, when it recorded one. */
  action: string | null;
}

/** An uploaded archive, counted but not imported (`dryRun`). */
export interface ImportCount {
  messages: number;
  bytes: number;
  /** Messages over the mailbox's size limit: they would be refused. */
  tooLarge: number;
}

/** What an uploaded archive came to. */
export interface ImportSummary {
  batch: string;
  mailbox: string;
  messages: number;
  /** Filed into cases (closed, never answered). */
  imported: number;
  newCases: number;
  appended: number;
  duplicates: number;
  /** Held or ignored by the ingest rules, per `status: reason`. */
  held: Record<string, number>;
  /** Refused (too large) or failed while processing (the scheduled retry takes those up again). */
  failed: number;
  /** The first few failures, one line each. */
  errors: string[];
  items: Array<ImportedMessage | { inboundId: null; status: 'rejected'; reason: string }>;
}
