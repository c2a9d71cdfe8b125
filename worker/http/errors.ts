// One error vocabulary. Domain code throws ApiFailure with a code; app.onError maps codes to HTTP
// status in one place; anything else is logged with the request id and answered with a plain 500.
export const ERROR_STATUS = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  not_configured: 501,
} as const;
export type ErrorCode = keyof typeof ERROR_STATUS;

export class ApiFailure extends Error {
  readonly code: ErrorCode;
  readonly issues?: unknown;
  constructor(code: ErrorCode, message: string, issues?: unknown) {
    super(message);
    this.name = 'ApiFailure';
    this.code = code;
    this.issues = issues;
  }
}

export const notFound = (what: string) => new ApiFailure('not_found', `${what} not found`);

/** The collision guard's 409: what arrived while the agent was writing, for the UI to show first. */
export class CollisionFailure extends ApiFailure {
  readonly newMessages: unknown[];
  readonly lastSeq: number;
  constructor(message: string, newMessages: unknown[], lastSeq: number) {
    super('conflict', message);
    this.newMessages = newMessages;
    this.lastSeq = lastSeq;
  }
}
