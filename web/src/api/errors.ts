// How a refused or failed request reaches the pages: a RequestError with the server's code, message
// and request id; its validation problems as lines (`details`) and per field (`fieldErrors`).
import type { ApiError, CollisionView, MessageView } from '../../../worker/protocol/api.ts';

export class RequestError extends Error {
  readonly status: number;
  readonly code: string;
  readonly requestId: string | undefined;
  /** What a validation failure found wrong, one line per problem. */
  readonly details: string[];
  /** The whole error body, for answers that carry more than the error (the collision guard's 409). */
  readonly body: unknown;
  /** Seconds from a Retry-After header, when the server sent one. */
  readonly retryAfter: number | null;
  constructor(status: number, code: string, message: string, extra: { requestId?: string; details?: string[]; body?: unknown; retryAfter?: number | null } = {}) {
    super(message);
    this.name = 'RequestError';
    this.status = status;
    this.code = code;
    this.requestId = extra.requestId;
    this.details = extra.details ?? [];
    this.body = extra.body;
    this.retryAfter = extra.retryAfter ?? null;
  }
}

/** The collision guard refused: something arrived since `seenSeq`. */
export class CollisionError extends Error {
  readonly newMessages: MessageView[];
  readonly lastSeq: number;
  constructor(message: string, view: CollisionView) {
    super(message);
    this.name = 'CollisionError';
    this.newMessages = Array.isArray(view.newMessages) ? view.newMessages : [];
    this.lastSeq = typeof view.lastSeq === 'number' ? view.lastSeq : 0;
  }
}

/**
 * One line for an error. `details: false` leaves the validation problems out, for forms that show
 * each of them next to its field already.
 */
export function errorMessage(err: unknown, opts: { details?: boolean } = {}): string {
  if (err instanceof RequestError) {
    const text = opts.details !== false && err.details.length > 0 ? `${err.message}: ${err.details.join('; ')}` : err.message;
    return err.requestId ? `${text} (request ${err.requestId})` : text;
  }
  if (err instanceof Error) return err.message;
  return String(err);
}

interface Issue {
  /** The field path joined with dots (`catchAllAddress`, `ackCreateTemplate.text`); '' for the whole body. */
  where: string;
  message: string;
}

/** Validation issues (zod's shape: { path, message }); anything else is ignored. */
function issuesOf(issues: unknown): Issue[] {
  if (!Array.isArray(issues)) return [];
  const out: Issue[] = [];
  for (const issue of issues) {
    if (typeof issue !== 'object' || issue === null) continue;
    const { path, message } = issue as { path?: unknown; message?: unknown };
    if (typeof message !== 'string') continue;
    const where = Array.isArray(path) ? path.filter((p) => typeof p === 'string' || typeof p === 'number').join('.') : '';
    out.push({ where, message });
  }
  return out;
}

/** The first few issues of an error body as short lines, for `details`. */
export function issueLines(body: unknown): string[] {
  return issuesOf((body as Partial<ApiError> | null)?.error?.issues)
    .slice(0, 5)
    .map((i) => (i.where ? `${i.where}: ${i.message}` : i.message));
}

/** Messages per field path (`catchAllAddress`, `ackCreateTemplate.text`, '' for the whole body). */
export type FieldErrors = Record<string, string[]>;

/** A refused change's problems per field, for messages next to inputs; empty for anything but a 400. */
export function fieldErrors(err: unknown): FieldErrors {
  const out: FieldErrors = {};
  if (!(err instanceof RequestError) || err.status !== 400) return out;
  for (const i of issuesOf((err.body as Partial<ApiError> | null)?.error?.issues)) (out[i.where] ??= []).push(i.message);
  return out;
}
