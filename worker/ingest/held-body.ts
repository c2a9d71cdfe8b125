// What a held message says, read again from its raw bytes for the agent who opens it in the
// exception log: held mail has no case message to show. The ingest's own bounds apply (the pre-scan's
// refusals, then postal-mime with its limits); nothing is stored. Pure: no bindings.
import { quoteStart } from '../mail/quote.ts';
import type { InboundBodyView } from '../protocol/api.ts';
import { normalizeLineEndings } from './analyze.ts';
import { parseMail, ParseRefused } from './parse.ts';
import { prescan } from './prescan.ts';

export async function readHeldBody(raw: Uint8Array): Promise<InboundBodyView> {
  const bytes = normalizeLineEndings(raw);
  const unreadable = (why: string): InboundBodyView => ({ text: '', html: null, quotedFrom: null, attachments: [], unreadable: why });
  const pre = prescan(bytes);
  if (pre.refuse) return unreadable(`it was not parsed (${pre.refuse}): download the raw message to read it`);
  try {
    const mail = await parseMail(bytes);
    return {
      text: mail.text,
      html: mail.html,
      quotedFrom: quoteStart(mail.text),
      attachments: mail.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, size: a.content.byteLength })),
      unreadable: null,
    };
  } catch (err) {
    return unreadable(`it could not be parsed (${err instanceof ParseRefused ? err.reason : 'parse-failed'}): download the raw message to read it`);
  }
}
