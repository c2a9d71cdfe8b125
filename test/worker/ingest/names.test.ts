import { describe, expect, it } from 'vitest';
import { attachmentName, distinctNames, extensionFor, genericName, MAX_FILENAME_BYTES, safeFilename } from '../../../worker/ingest/names.ts';

const part = (mimeType: string, extra: { filename?: string | null; description?: string; content?: string } = {}) => ({
  filename: extra.filename ?? null,
  mimeType,
  description: extra.description,
  content: new TextEncoder().encode(extra.content ?? ''),
});

describe('names: safe file names', () => {
  it('keeps the last segment of a path and nothing that climbs out of a folder', () => {
    expect(safeFilename('../../etc/passwd')).toBe('passwd');
    expect(safeFilename('C:\\Users\\erin\\invoice.pdf')).toBe('invoice.pdf');
    expect(safeFilename('..')).toBe('');
    expect(safeFilename('.htaccess')).toBe('htaccess');
  });

  it('replaces separators in text that is no path', () => {
    expect(safeFilename('Order 4471/B: delivered', { path: false })).toBe('Order 4471_B: delivered');
  });

  it('drops controls, bidirectional overrides and zero-width characters; keeps punctuation', () => {
    expect(safeFilename('invoice\u202Efdp.exe')).toBe('invoicefdp.exe');
    expect(safeFilename('a\u0000b\u0007c\u200b.txt')).toBe('abc.txt');
    expect(safeFilename("it's (1)*!.txt")).toBe("it's (1)*!.txt");
    expect(safeFilename('CON.txt')).toBe('_CON.txt');
  });

  it('bounds the length in bytes and keeps the extension', () => {
    const long = safeFilename(`${'发票'.repeat(200)}.pdf`);
    expect(new TextEncoder().encode(long).length).toBeLessThanOrEqual(MAX_FILENAME_BYTES);
    expect(long.endsWith('发票.pdf') || long.endsWith('发.pdf')).toBe(true);
  });
});

describe('names: parts without a name', () => {
  it('takes the extension from the content type', () => {
    expect(genericName('image/jpeg')).toBe('image.jpg');
    expect(genericName('application/pdf')).toBe('document.pdf');
    expect(genericName('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')).toBe('document.xlsx');
    expect(genericName('application/zip')).toBe('archive.zip');
    expect(genericName('application/octet-stream')).toBe('attachment.bin');
    expect(genericName('text/calendar')).toBe('invite.ics');
    expect(genericName('message/delivery-status')).toBe('delivery-status.txt');
    expect(extensionFor('image/x-webp')).toBe('webp');
    expect(extensionFor('application/x-something-long')).toBe('bin');
  });

  it('names an attached message after its subject, decoded', () => {
    const msg = 'From: a@example.com\r\nSubject: =?utf-8?Q?R=C3=BCcksendung?=\r\n 4471\r\n\r\nbody\r\n';
    expect(attachmentName(part('message/rfc822', { content: msg }))).toBe('Rücksendung 4471.eml');
    expect(attachmentName(part('message/rfc822', { content: 'From: a@example.com\r\n\r\nbody' }))).toBe('message.eml');
  });

  it('uses the Content-Description, with the extension of the type', () => {
    expect(attachmentName(part('image/png', { description: 'Photo of the lid' }))).toBe('Photo of the lid.png');
    expect(attachmentName(part('image/png', { description: 'image/png' }))).toBe('image.png');
    expect(attachmentName(part('image/png', { filename: 'lid.png', description: 'Photo' }))).toBe('lid.png');
  });

  it('makes names distinct, whatever their case', () => {
    expect(distinctNames(['a.pdf', 'a.pdf', 'A.pdf', 'b', 'b'])).toEqual(['a.pdf', 'a (2).pdf', 'A (3).pdf', 'b', 'b (2)']);
  });
});
