// Acknowledgement templates: `{{case.number}}`-style placeholders filled with escaped values. Pure.
//
// There is deliberately no placeholder for the customer's message. An acknowledgement goes to
// whatever address a mail claims to come from, so echoing the body would let anyone use the
// helpdesk to deliver text of their choosing to a third party (backscatter as a spam relay).
import { safeHeaderValue, type ExtraHeaderName } from './headers.ts';
import { subjectWithTag } from './compose.ts';
import { civilDate, DAY_MS, formatClockTime, MINUTE_MS, weekdayOf } from '../sla/civil.ts';
import { wallClockAt } from '../sla/zone.ts';
import { ACK_PLACEHOLDERS, type AckPlaceholder } from '../protocol/admin/mailboxes.ts';

/** The list lives with the API, which the admin's template editor shows. */
export const TEMPLATE_PLACEHOLDERS = ACK_PLACEHOLDERS;
export type PlaceholderName = AckPlaceholder;
export type TemplateValues = Partial<Record<PlaceholderName, string | number | null | undefined>>;
/** Values for any placeholder list (canned replies have their own). */
export type AnyTemplateValues = Readonly<Record<string, string | number | null | undefined>>;
export type TemplateMode = 'text' | 'html';

export interface RenderResult {
  output: string;
  /** Placeholders the template used that do not exist; they render as nothing. */
  unknown: string[];
  /** Known placeholders the template used without a value; they render as nothing. */
  missing: PlaceholderName[];
}

const KNOWN = new Set<string>(TEMPLATE_PLACEHOLDERS);
const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;
const VALUE_MAX_CHARS = 500;
const TEMPLATE_MAX_CHARS = 20_000;
// eslint-disable-next-line no-control-regex
const TEMPLATE_CONTROLS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Which placeholders a template may use; acknowledgements' by default. */
type Known = ReadonlySet<string>;
const knownSet = (placeholders: readonly string[] | undefined): Known => (placeholders ? new Set(placeholders) : KNOWN);

/**
 * Fill the placeholders of `template`. Values are single lines either way: control characters and
 * line breaks are removed (a name cannot add lines to a text mail); in `html` mode they are then
 * HTML-escaped. The template's own text is trusted (admins write it) and only loses NULs and similar
 * control characters.
 */
export function renderTemplate(template: string, values: TemplateValues, mode: TemplateMode): RenderResult {
  return fillTemplate(template, values, mode) as RenderResult;
}

/**
 * renderTemplate over another list of placeholders (`placeholders`, e.g. a canned reply's), with the
 * same rules for values: single lines, and HTML-escaped in `html` mode.
 */
export function fillTemplate(template: string, values: AnyTemplateValues, mode: TemplateMode, placeholders?: readonly string[]): { output: string; unknown: string[]; missing: string[] } {
  const known = knownSet(placeholders);
  const unknown: string[] = [];
  const missing: string[] = [];
  const output = String(template ?? '')
    .replace(TEMPLATE_CONTROLS, '')
    .replace(PLACEHOLDER, (_m, rawName: string) => {
      const name = rawName.trim();
      if (!known.has(name)) {
        const shown = safeHeaderValue(name, 100);
        if (!unknown.includes(shown)) unknown.push(shown);
        return '';
      }
      const raw = Object.hasOwn(values, name) ? values[name] : undefined;
      const value = raw === null || raw === undefined ? '' : safeHeaderValue(String(raw), VALUE_MAX_CHARS);
      if (!value) {
        if (!missing.includes(name)) missing.push(name);
        return '';
      }
      return mode === 'html' ? escapeHtml(value) : value;
    });
  return { output, unknown, missing };
}

export const TEMPLATE_PROBLEMS = ['too-long', 'control-char', 'unclosed-placeholder', 'unknown-placeholder', 'body-not-allowed', 'placeholder-in-tag', 'script'] as const;
export type TemplateProblemCode = (typeof TEMPLATE_PROBLEMS)[number];
export interface TemplateProblem {
  code: TemplateProblemCode;
  message: string;
}

/** What an admin is told before saving a template. `ok` when there is nothing to fix. */
export function validateTemplate(template: string, mode: TemplateMode, placeholders?: readonly string[]): { ok: boolean; problems: TemplateProblem[] } {
  const known = knownSet(placeholders);
  const listed = placeholders ?? TEMPLATE_PLACEHOLDERS;
  const problems: TemplateProblem[] = [];
  const text = String(template ?? '');
  if (text.length > TEMPLATE_MAX_CHARS) problems.push({ code: 'too-long', message: `A template may have at most ${TEMPLATE_MAX_CHARS} characters.` });
  if (text.replace(TEMPLATE_CONTROLS, '') !== text) problems.push({ code: 'control-char', message: 'The template contains control characters; they are removed when it is used.' });

  const withoutPlaceholders = text.replace(PLACEHOLDER, '');
  if (withoutPlaceholders.includes('{{')) problems.push({ code: 'unclosed-placeholder', message: 'A "{{" has no matching "}}".' });

  const reported = new Set<string>();
  for (const m of text.matchAll(PLACEHOLDER)) {
    const name = m[1]!.trim();
    if (known.has(name) || reported.has(name)) continue;
    reported.add(name);
    const shown = safeHeaderValue(name, 100);
    if (!placeholders && /body|message|text|html|content/i.test(name)) {
      problems.push({
        code: 'body-not-allowed',
        message: `{{${shown}}}: acknowledgements never repeat the customer's message, since they go to whatever address a mail claims as its sender.`,
      });
    } else {
      problems.push({ code: 'unknown-placeholder', message: `{{${shown}}} is not a placeholder; known: ${listed.map((p) => `{{${p}}}`).join(', ')}.` });
    }
  }

  if (mode === 'html') {
    for (const m of text.matchAll(PLACEHOLDER)) {
      const before = text.slice(0, m.index);
      if (before.lastIndexOf('<') > before.lastIndexOf('>')) {
        problems.push({ code: 'placeholder-in-tag', message: `{{${safeHeaderValue(m[1], 100)}}} sits inside an HTML tag; values are escaped for text, not for attributes or URLs.` });
        break;
      }
    }
    if (/<\s*script\b|\bon[a-z]+\s*=|javascript:/i.test(text)) {
      problems.push({ code: 'script', message: 'Scripts and event handlers do not run in mail and mark it as suspicious; remove them.' });
    }
  }
  return { ok: problems.length === 0, problems };
}

// ---- default acknowledgements ------------------------------------------------------------------

export interface AckTemplate {
  subject: string;
  text: string;
  html: string;
}
export type AckKind = 'create' | 'update';

export const DEFAULT_ACK_TEMPLATES: Record<AckKind, AckTemplate> = {
  create: {
    subject: 'Re: {{case.subject}}',
    text: [
      'Hello {{customer.name}},',
      '',
      'Thank you for contacting {{mailbox.name}}. We have received your message and opened case',
      '#{{case.number}}: "{{case.subject}}".',
      '',
      'Expected first response: {{sla.first_response}}.',
      '',
      'To add to this case, reply to this email and keep [#{{case.number}}] in the subject.',
      '',
      '{{mailbox.name}}',
      '',
      '(This is an automatic acknowledgement.)',
    ].join('\n'),
    html: [
      '<!doctype html>',
      '<html><body style="font-family: sans-serif; line-height: 1.4">',
      '<p>Hello {{customer.name}},</p>',
      '<p>Thank you for contacting {{mailbox.name}}. We have received your message and opened case',
      '<strong>#{{case.number}}</strong>: &ldquo;{{case.subject}}&rdquo;.</p>',
      '<p>Expected first response: {{sla.first_response}}.</p>',
      '<p>To add to this case, reply to this email and keep [#{{case.number}}] in the subject.</p>',
      '<p>{{mailbox.name}}</p>',
      '<p style="color: #666; font-size: smaller">This is an automatic acknowledgement.</p>',
      '</body></html>',
    ].join('\n'),
  },
  update: {
    subject: 'Re: {{case.subject}}',
    text: [
      'Hello {{customer.name}},',
      '',
      'We have added your message to case #{{case.number}}: "{{case.subject}}", and',
      '{{agent.name}} will get back to you.',
      '',
      'To add more, reply to this email and keep [#{{case.number}}] in the subject.',
      '',
      '{{mailbox.name}}',
      '',
      '(This is an automatic acknowledgement.)',
    ].join('\n'),
    html: [
      '<!doctype html>',
      '<html><body style="font-family: sans-serif; line-height: 1.4">',
      '<p>Hello {{customer.name}},</p>',
      '<p>We have added your message to case <strong>#{{case.number}}</strong>: &ldquo;{{case.subject}}&rdquo;, and',
      '{{agent.name}} will get back to you.</p>',
      '<p>To add more, reply to this email and keep [#{{case.number}}] in the subject.</p>',
      '<p>{{mailbox.name}}</p>',
      '<p style="color: #666; font-size: smaller">This is an automatic acknowledgement.</p>',
      '</body></html>',
    ].join('\n'),
  },
};

// ---- languages ----------------------------------------------------------------------------------

/** The languages the built-in wording is written in. English is the fallback. */
export const ACK_LANGUAGES = ['en', 'de', 'fr'] as const;
export type AckLanguage = (typeof ACK_LANGUAGES)[number];

/** What the default wording says when a value is not known, so no sentence is left with a hole. */
export const ACK_FALLBACKS_BY_LANGUAGE: Record<AckLanguage, Partial<Record<PlaceholderName, string>>> = {
  en: { 'customer.name': 'there', 'agent.name': 'our team', 'sla.first_response': 'as soon as we can', 'office.reopens': 'soon' },
  de: { 'customer.name': 'zusammen', 'agent.name': 'unser Team', 'sla.first_response': 'so bald wie möglich', 'office.reopens': 'bald' },
  fr: { 'customer.name': 'à vous', 'agent.name': 'notre équipe', 'sla.first_response': 'dès que possible', 'office.reopens': 'bientôt' },
};
export const ACK_FALLBACKS = ACK_FALLBACKS_BY_LANGUAGE.en;

const LANGUAGE_TAG = /^[a-z]{1,8}(-[a-z0-9]{1,8})*$/;
/** A header is read for at most this many tags: it is the sender's text, and only the first few matter. */
const MAX_LANGUAGE_TAGS = 20;

/**
 * The languages a customer's mail asks for, most wanted first, as lower-case tags: the languages
 * it is written in (`Content-Language`, RFC 3282), then those its sender reads (`Accept-Language`,
 * which RFC 3282 also defines for mail, by q-value). Outlook, for one, sets both. `headers` are a
 * parsed mail's top-level headers (lower-case names).
 */
export function languagePreferences(headers: ReadonlyArray<readonly [string, string]>): string[] {
  const written: string[] = [];
  const read: Array<{ tag: string; q: number; at: number }> = [];
  for (const [name, value] of headers) {
    const key = name.toLowerCase();
    if (key !== 'content-language' && key !== 'accept-language') continue;
    for (const item of value.split(',').slice(0, MAX_LANGUAGE_TAGS)) {
      const [rawTag, ...params] = item.split(';');
      const tag = (rawTag ?? '').trim().toLowerCase();
      if (!LANGUAGE_TAG.test(tag)) continue;
      if (key === 'content-language') written.push(tag);
      else {
        const qParam = params.map((p) => p.trim().toLowerCase()).find((p) => p.startsWith('q='));
        const q = qParam === undefined ? 1 : Number(qParam.slice(2));
        if (Number.isFinite(q) && q > 0) read.push({ tag, q, at: read.length });
      }
    }
  }
  read.sort((a, b) => b.q - a.q || a.at - b.at);
  return [...new Set([...written, ...read.map((r) => r.tag)])];
}

/** The first of `wanted` that `available` has (`de-CH` matches `de`), else `fallback`. */
export function pickLanguage<L extends string>(wanted: readonly string[], available: readonly L[], fallback: L): L {
  for (const tag of wanted) {
    const exact = available.find((l) => l.toLowerCase() === tag);
    if (exact) return exact;
    const primary = tag.split('-')[0];
    const loose = available.find((l) => l.toLowerCase().split('-')[0] === primary);
    if (loose) return loose;
  }
  return fallback;
}

const WEEKDAYS: Record<AckLanguage, readonly string[]> = {
  en: ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'],
  de: ['Sonntag', 'Montag', 'Dienstag', 'Mittwoch', 'Donnerstag', 'Freitag', 'Samstag'],
  fr: ['dimanche', 'lundi', 'mardi', 'mercredi', 'jeudi', 'vendredi', 'samedi'],
};
const MONTHS: Record<AckLanguage, readonly string[]> = {
  en: ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'],
  de: ['Januar', 'Februar', 'März', 'April', 'Mai', 'Juni', 'Juli', 'August', 'September', 'Oktober', 'November', 'Dezember'],
  fr: ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre'],
};

/**
 * When the office opens again, as `office.reopens` says it: the weekday and wall-clock time in the
 * calendar's own zone, named ("Monday 09:00 (Europe/Berlin)"), since the customer may live in
 * another. Within the coming six days the weekday is unambiguous; further out (holidays) the date
 * is added ("Monday 4 January 09:00 (Europe/Berlin)"). The names are written out here rather than
 * asked of Intl, so the words do not depend on which locales the runtime carries.
 */
export function formatReopening(at: number, now: number, timeZone: string, language: AckLanguage): string {
  const wall = wallClockAt(timeZone, at);
  const day = Math.floor(wall / DAY_MS);
  const ahead = day - Math.floor(wallClockAt(timeZone, now) / DAY_MS);
  const time = formatClockTime(Math.floor((wall - day * DAY_MS) / MINUTE_MS));
  const weekday = WEEKDAYS[language][weekdayOf(day)]!;
  const { day: dom, month } = civilDate(day);
  const monthName = MONTHS[language][month - 1]!;
  const withDate = ahead > 6;
  switch (language) {
    case 'en':
      return `${weekday}${withDate ? ` ${dom} ${monthName}` : ''} ${time} (${timeZone})`;
    case 'de':
      return `am ${weekday}${withDate ? `, ${dom}. ${monthName},` : ''} um ${time} Uhr (${timeZone})`;
    case 'fr':
      return `${weekday}${withDate ? ` ${dom} ${monthName}` : ''} à ${time} (${timeZone})`;
  }
}

/** Plain text as HTML: escaped, paragraphs at blank lines, `<br>` at single line ends. */
export function textToHtml(text: string): string {
  const paragraphs = text.split(/\n{2,}/).map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>\n')}</p>`);
  return `<!doctype html>\n<html><body>\n${paragraphs.join('\n')}\n</body></html>`;
}

export interface RenderedAck extends AckTemplate {
  unknown: string[];
  missing: PlaceholderName[];
}

/**
 * An acknowledgement ready for composeMail: subject tagged with the case number, text and HTML.
 * `custom` is a mailbox's own template; a custom text without HTML gets HTML made from the rendered
 * text (escaped), never from the template, so it cannot smuggle markup through a value. `language`
 * is the one the template is written in: it picks the words for values nobody knows.
 */
export function renderAck(kind: AckKind, values: TemplateValues, custom?: Partial<AckTemplate>, language: AckLanguage = 'en'): RenderedAck {
  const base = DEFAULT_ACK_TEMPLATES[kind];
  const filled: TemplateValues = { ...values };
  for (const [name, fallback] of Object.entries(ACK_FALLBACKS_BY_LANGUAGE[language]) as Array<[PlaceholderName, string]>) {
    const v = filled[name];
    if (v === undefined || v === null || String(v).trim() === '') filled[name] = fallback;
  }
  const subject = renderTemplate(custom?.subject ?? base.subject, filled, 'text');
  const text = renderTemplate(custom?.text ?? base.text, filled, 'text');
  const html =
    custom?.html !== undefined
      ? renderTemplate(custom.html, filled, 'html')
      : custom?.text !== undefined
        ? { output: textToHtml(text.output), unknown: [], missing: [] }
        : renderTemplate(base.html, filled, 'html');
  const number = Number(values['case.number']);
  const tagged = Number.isSafeInteger(number) && number > 0 ? subjectWithTag(subject.output, number) : safeHeaderValue(subject.output);
  const unknown = [...new Set([...subject.unknown, ...text.unknown, ...html.unknown])];
  const missing = [...new Set([...subject.missing, ...text.missing, ...html.missing])];
  return { subject: tagged, text: text.output, html: html.output, unknown, missing };
}

/**
 * Headers that mark an acknowledgement as automatic: RFC 3834 `Auto-Submitted: auto-replied`, and
 * Exchange's `X-Auto-Response-Suppress: All` so Outlook sends no out-of-office back (no loops).
 */
export function ackHeaders(): Record<Extract<ExtraHeaderName, 'Auto-Submitted' | 'X-Auto-Response-Suppress'>, string> {
  return { 'Auto-Submitted': 'auto-replied', 'X-Auto-Response-Suppress': 'All' };
}
