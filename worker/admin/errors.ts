// Why an administrative change was refused. The HTTP layer maps the code to a status (http/errors.ts);
// `issues` use zod's shape ({ path, message }) so a form can put each message next to its field.

export interface AdminIssue {
  code: 'custom';
  path: Array<string | number>;
  message: string;
}

export class AdminRefused extends Error {
  readonly code: 'bad_request' | 'not_found' | 'conflict' | 'payload_too_large';
  readonly issues: AdminIssue[] | undefined;
  constructor(code: 'bad_request' | 'not_found' | 'conflict' | 'payload_too_large', message: string, issues?: AdminIssue[]) {
    super(message);
    this.name = 'AdminRefused';
    this.code = code;
    this.issues = issues;
  }
}

export function issue(path: Array<string | number>, message: string): AdminIssue {
  return { code: 'custom', path, message };
}

/** Refuses with every problem found at once, so the admin fixes them in one go. */
export function refuseIfAny(issues: AdminIssue[], message: string): void {
  if (issues.length) throw new AdminRefused('bad_request', message, issues);
}
