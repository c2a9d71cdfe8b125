import { Hono } from 'hono';
import { attachmentFile } from '../../db/queries/attachments.ts';
import type { AppEnv } from '../env.ts';
import { notFound } from '../errors.ts';

export const attachmentRoutes = new Hono<AppEnv>();

/** RFC 6266 filename: an ASCII fallback plus the UTF-8 original, encoded as RFC 8187 requires. */
export function contentDisposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  // encodeURIComponent leaves ' ( ) * ! as they are; RFC 8187's attr-char does not allow them.
  const encoded = encodeURIComponent(filename).replace(/['()*!]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

// Always a download, never rendered by the browser: an attachment is the sender's content.
attachmentRoutes.get('/:id', async (c) => {
  const row = await attachmentFile(c.var.deps.db, c.var.workspaceId, c.req.param('id'));
  if (!row?.r2Key) throw notFound('attachment');
  const obj = await c.var.deps.raw.get(row.r2Key);
  if (!obj) throw notFound('attachment content');
  return new Response(obj.body, {
    headers: {
      'Content-Type': 'application/octet-stream',
      'Content-Disposition': contentDisposition(row.filename),
      'Content-Length': String(row.size),
      'X-Content-Type-Options': 'nosniff',
      'Content-Security-Policy': "default-src 'none'; sandbox",
      'Cache-Control': 'private, max-age=3600',
    },
  });
});
