// The refusals of case actions, in the domain's words: routes/cases.ts maps them to HTTP.
import type { MessageView } from '../protocol/api.ts';

export type CaseActionCode = 'not_found' | 'bad_request' | 'conflict';

export class CaseActionError extends Error {
  readonly code: CaseActionCode;
  /** For a conflict: what arrived while the agent was writing, and the seq it brings the case to. */
  readonly newMessages: MessageView[];
  readonly lastSeq: number;
  constructor(code: CaseActionCode, message: string, extra: { newMessages?: MessageView[]; lastSeq?: number } = {}) {
    super(message);
    this.name = 'CaseActionError';
    this.code = code;
    this.newMessages = extra.newMessages ?? [];
    this.lastSeq = extra.lastSeq ?? 0;
  }
}
