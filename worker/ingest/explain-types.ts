// The values `npm run explain` and `npm run corpus` exchange with explain.ts and corpus.ts: plain data
// and the modules' shapes, nothing that names a binding. The Node commands type-check against this
// file alone; explain.ts and corpus.ts are type-checked with the Worker (their imports need the
// Workers types) and check themselves against these shapes with `satisfies`.

/** What the Worker's environment would supply: the reply-token key, the app's address, the size limit, the clock. */
export interface DeskSettings {
  replyTokenKey: string;
  appUrl: string | null;
  /** MAX_MESSAGE_BYTES: the Worker's limit; a mailbox may set a lower one. */
  maxMessageBytes: number;
  now: () => number;
  /** Write each message's planned change (a conversation: a later message threads to an earlier one). */
  commit: boolean;
  /** Create the demo workspace `npm start` creates (an empty database has no mailbox). */
  seed: boolean;
}

export interface MessageInput {
  bytes: Uint8Array;
  file?: string;
  /** The envelope recipient, as Email Routing reports it: a mailbox address or one of our reply addresses. */
  recipient: string;
  /** The envelope sender; by default Return-Path, else the From address. */
  envelopeFrom?: string;
}

export interface AttachmentLine {
  filename: string;
  contentType: string;
  size: number;
  inline: boolean;
  /** `stored`, `skipped: <why>` (the mailbox's attachment policy), or why nothing was stored. */
  stored: string;
}

export interface TimeLine {
  at: number;
  iso: string;
}

export interface Explanation {
  file?: string;
  size: number;
  /** Rejected mail is refused at SMTP time (unknown mailbox, disabled, too large): nothing is stored. */
  verdict: 'accepted' | 'rejected';
  rejected?: string;
  mailbox: { address: string; name: string } | null;
  inboundId: string | null;
  messageKey: string | null;
  envelope: { from: string; to: string };
  message: {
    from: { name: string; email: string };
    to: string[];
    cc: string[];
    subject: string;
    date: string | null;
    messageId: string | null;
    /** The start of the text, whitespace collapsed. */
    excerpt: string;
    textLength: number;
    html: boolean;
    attachments: AttachmentLine[];
  } | null;
  triage: { kind: string; reasons: string[]; auth: { verdict: string; reasons: string[] } | null };
  thread: {
    /** new-case, append, held, ignored, bounce, note or duplicate. */
    outcome: string;
    /** The inbound row's status: processed, quarantined or ignored. */
    status: string;
    case: { id: string; number: number | null } | null;
    /** The threading rule that matched (new, follow-up, token, in-reply-to, references, subject-tag …). */
    rule: string | null;
    /** Why: for held and ignored mail the reason code. */
    reason: string;
    detail: string | null;
    /** The case status a reply moves the case to. */
    newStatus: string | null;
    linkedCase: { id: string; number: number | null } | null;
    considered: string[];
  };
  acknowledgement: { sent: boolean; detail: string };
  notification: string | null;
  sla: {
    policy: { id: string; name: string } | null;
    officeHours: boolean;
    firstResponseDue: TimeLine | null;
    nextResponseDue: TimeLine | null;
    resolutionDue: TimeLine | null;
  } | null;
  assignee: { id: string; name: string } | { none: string };
  events: string[];
  outgoing: Array<{ kind: string; to: string[] }>;
  /** Whether the change was written (to the throwaway database or the snapshot). */
  committed: boolean;
  /** The decision record the Worker keeps on the inbound row. */
  record: unknown;
}

/** One database to run messages against, through the Worker's planner. */
export interface Desk {
  explain(input: MessageInput): Promise<Explanation>;
}

/** explain.ts as the Node command uses it. D and R are the D1 and R2 bindings. */
export interface ExplainModule<D, R> {
  openDesk(bindings: { DB: D; RAW: R | null }, settings: DeskSettings): Promise<Desk>;
  renderExplanation(e: Explanation): string;
}

// ---- corpus ----------------------------------------------------------------------------------

/** What the manifest says should happen, reduced to what the classifier decides. */
export type Expected = 'bounce' | 'auto-reply' | 'report' | 'human' | 'list' | 'unspecified';

export interface CorpusRow {
  path: string;
  source: string;
  category: string;
  expected: string;
}

export interface MessageResult {
  path: string;
  index: number;
  category: string;
  expected: Expected;
  /** The triage kind the planner decided on, `quarantined:<reason>` when the message could not be read. */
  kind: string;
  reasons: string[];
  /** What the planner made of it: new-case, append, ignored:bounce, held:spam-flagged … */
  outcome: string;
  ok: boolean | null;
  crashed: string | null;
}

export interface CorpusSummary {
  messages: number;
  crashes: number;
  byCategory: Record<string, { total: number; ok: number; kinds: Record<string, number> }>;
  recall: { bounce: number; autoReply: number; human: number };
  counts: { bounce: [number, number]; autoReply: [number, number]; human: [number, number] };
}

/** corpus.ts as the Node command uses it. */
export interface CorpusModule<D, R> extends ExplainModule<D, R> {
  parseManifest(tsv: string): CorpusRow[];
  runCorpusFile(row: CorpusRow, file: Uint8Array, desk: Desk, recipient?: string): Promise<MessageResult[]>;
  summarize(results: MessageResult[]): CorpusSummary;
  summaryLine(s: CorpusSummary): string;
}
