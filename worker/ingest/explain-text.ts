// The readable form of an explanation, as `npm run explain` prints it: one block per message, one
// labelled line per thing decided. Pure.
import type { Explanation, TimeLine } from './explain-types.ts';

const LABEL = 12;

function size(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} kB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

function line(label: string, text: string): string {
  return `  ${label.padEnd(LABEL)}${text}`;
}

/** Continuation lines under a label. */
function more(text: string): string {
  return `  ${''.padEnd(LABEL)}${text}`;
}

function when(t: TimeLine | null): string {
  return t ? `${t.iso.slice(0, 16).replace('T', ' ')} UTC` : 'none';
}

function caseName(c: { id: string; number: number | null } | null): string {
  if (!c) return 'no case';
  return c.number !== null ? `#${c.number}` : c.id;
}

function threadText(e: Explanation): string {
  const t = e.thread;
  const why = t.detail ? `${t.reason}: ${t.detail}` : t.reason;
  switch (t.outcome) {
    case 'new-case':
      return `new case ${caseName(t.case)}${t.linkedCase ? `, linked to ${caseName(t.linkedCase)}` : ''} (${t.reason})`;
    case 'append':
      return `appended to ${caseName(t.case)} by ${t.rule}${t.newStatus ? `, case now ${t.newStatus}` : ''} (${t.reason})`;
    case 'bounce':
      return `delivery report filed on ${caseName(t.case)} (${t.reason})`;
    case 'note':
      return `internal note on ${caseName(t.case)} (${t.reason})`;
    case 'duplicate':
      return `duplicate, not stored again${t.case ? ` (first delivery is on ${caseName(t.case)})` : ''}`;
    case 'held':
      return `held (${t.status}): ${why}${t.case ? ` [points at ${caseName(t.case)}]` : ''}`;
    case 'ignored':
      return `ignored: ${why}${t.case ? ` [points at ${caseName(t.case)}]` : ''}`;
    case 'failed':
      return `processing failed: ${t.detail}`;
    case 'rejected':
      return `rejected at SMTP time: ${t.reason}`;
    default:
      return `${t.outcome}: ${why}`;
  }
}

export function renderExplanation(e: Explanation): string {
  const out: string[] = [`── ${e.file ?? 'message'} (${size(e.size)})`];
  const m = e.message;
  if (m) {
    out.push(
      line('from', `${m.from.name ? `${m.from.name} <${m.from.email}>` : m.from.email || '(no sender)'}${e.envelope.from && e.envelope.from !== m.from.email ? `   envelope ${e.envelope.from}` : ''}`),
    );
    out.push(
      line(
        'to',
        `${[...m.to, ...m.cc.map((a) => `cc ${a}`)].join(', ') || '(none)'}   delivered to ${e.envelope.to}${e.mailbox && e.mailbox.address !== e.envelope.to ? ` (mailbox ${e.mailbox.address})` : ''}`,
      ),
    );
    out.push(line('subject', m.subject || '(no subject)'));
    out.push(line('date', `${m.date ?? '(none)'}   message-id ${m.messageId ? `<${m.messageId}>` : '(none)'}`));
    out.push(line('text', m.textLength ? `"${m.excerpt}" (${m.textLength} characters)` : '(empty)'));
    out.push(line('html', m.html ? 'yes' : 'no'));
    if (m.attachments.length === 0) out.push(line('attachments', 'none'));
    m.attachments.forEach((a, i) => {
      const text = `${a.filename || '(no name)'}  ${a.contentType}  ${size(a.size)}${a.inline ? '  inline' : ''}  ${a.stored}`;
      out.push(i === 0 ? line('attachments', text) : more(text));
    });
  } else {
    out.push(line('from', `${e.envelope.from || '(no sender)'} (envelope)`));
    out.push(line('to', `${e.envelope.to}${e.mailbox ? ` (mailbox ${e.mailbox.address})` : ''}`));
  }
  const t = e.triage;
  if (e.verdict === 'accepted') {
    const auth = t.auth ? `   auth ${t.auth.verdict}${t.auth.reasons.length ? ` (${t.auth.reasons.join('; ')})` : ''}` : '';
    out.push(line('triage', `${t.kind}${t.reasons.length ? ` (${t.reasons.join('; ')})` : ''}${auth}`));
  }
  out.push(line('thread', threadText(e)));
  for (const c of e.thread.considered) out.push(more(`considered: ${c}`));
  out.push(line('ack', e.acknowledgement.sent ? `sent: ${e.acknowledgement.detail}` : `not sent: ${e.acknowledgement.detail}`));
  if (e.notification) out.push(line('notify', e.notification));
  const s = e.sla;
  if (s) {
    const policy = s.policy ? `${s.policy.name} (${s.policy.id})${s.officeHours ? ', office hours' : ', around the clock'}` : 'no SLA policy';
    out.push(line('sla', `${policy}: first response due ${when(s.firstResponseDue)}`));
    if (s.nextResponseDue || s.resolutionDue) out.push(more(`next response due ${when(s.nextResponseDue)}, resolution due ${when(s.resolutionDue)}`));
  } else out.push(line('sla', 'no clock (no case is opened or answered)'));
  out.push(line('assignee', 'none' in e.assignee ? `nobody: ${e.assignee.none}` : `${e.assignee.name} (${e.assignee.id})`));
  if (e.events.length) out.push(line('events', e.events.join(', ')));
  if (e.outgoing.length) out.push(line('outgoing', e.outgoing.map((o) => `${o.kind} to ${o.to.join(', ')}`).join('; ')));
  return out.join('\n');
}

export function mib(n: number): string {
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

const EXCERPT = 200;

export function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > EXCERPT ? `${flat.slice(0, EXCERPT - 1)}…` : flat;
}

export function time(at: unknown): TimeLine | null {
  return typeof at === 'number' ? { at, iso: new Date(at).toISOString() } : null;
}
