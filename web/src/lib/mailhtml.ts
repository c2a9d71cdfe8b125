// A mail's HTML, made safe to show: DOMPurify with a strict configuration, then our own pass over
// what is left (CSS that could load anything, image sources, links), wrapped in a document whose
// Content-Security-Policy loads nothing remote until the agent asks for it. The result is meant for
// <iframe sandbox="" srcdoc>: no scripts, an opaque origin, and the policy as a second wall.
// Nothing here ever puts the mail into our own page; the parsing happens in an inert document.
import DOMPurify from 'dompurify';

/** Images in the mail itself (`cid:`), fetched by the app and given to the frame as data: URLs. */
export type InlineImages = ReadonlyMap<string, string>;

export interface PreparedHtml {
  /** The whole document for srcdoc. */
  doc: string;
  /** Remote (http/https) images: blocked unless `allowRemote`. */
  remoteImages: number;
  /** `cid:` references without an image to show (not stored, too large, not an image, failed). */
  missingInline: number;
  /** For sizing the frame without looking inside it. */
  measure: { chars: number; blocks: number; imageHeights: Array<{ width: number; height: number }> };
}

const purify = DOMPurify(window);

const FORBID_TAGS = [
  'script',
  'noscript',
  'xmp',
  'noembed',
  'noframes',
  'plaintext',
  'listing',
  'form',
  'input',
  'button',
  'select',
  'option',
  'optgroup',
  'textarea',
  'datalist',
  'output',
  'keygen',
  'meta',
  'link',
  'base',
  'iframe',
  'frame',
  'frameset',
  'object',
  'embed',
  'applet',
  'param',
  'portal',
  'fencedframe',
  'audio',
  'video',
  'source',
  'track',
  'picture',
  'canvas',
  'template',
  'slot',
  'svg',
  'math',
];
const FORBID_ATTR = [
  'srcset',
  'sizes',
  'background',
  'poster',
  'action',
  'formaction',
  'ping',
  'target',
  'usemap',
  'lowsrc',
  'dynsrc',
  'longdesc',
  'popover',
  'popovertarget',
  'popovertargetaction',
  'command',
  'commandfor',
  'autofocus',
  'contenteditable',
  'loading',
  'crossorigin',
  'integrity',
  'nonce',
];

/** Image types a data: URL may carry into the frame (no SVG: an image of our choosing, not the sender's). */
export const INLINE_IMAGE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/avif', 'image/bmp']);
const DATA_IMAGE = /^data:image\/(png|jpeg|gif|webp|avif|bmp);base64,[a-z0-9+/=\s]*$/i;

/** The policy of the frame's document. `img-src data:` carries the inline images; remote ones need consent. */
export function framePolicy(allowRemote: boolean): string {
  return ["default-src 'none'", "style-src 'unsafe-inline'", `img-src data: cid:${allowRemote ? ' https: http:' : ''}`, "form-action 'none'", "base-uri 'none'"].join('; ');
}

const BASE_CSS =
  'html{color-scheme:light}body{margin:8px;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:#1d2330;overflow-wrap:anywhere}' +
  'img{max-width:100%}table{max-width:100%}pre{white-space:pre-wrap}' +
  '.ec-blocked{display:inline-block;min-width:1.5em;min-height:1em;outline:1px dashed #b8bec8;color:#6b7280;font-size:12px}';

/**
 * CSS with nothing that loads: escapes and comments resolved first (so `u\72l(` or `u/**\/rl(` cannot
 * hide a url()), then every function that takes a URL and every @import removed. `<` goes too, so the
 * text of a <style> cannot close it.
 */
export function cleanCss(css: string): string {
  let s = css
    .replace(/\\([0-9a-f]{1,6})[ \t\r\n\f]?/gi, (_, hex: string) => {
      const cp = parseInt(hex, 16);
      return cp > 0 && cp <= 0x10ffff && (cp < 0xd800 || cp > 0xdfff) ? String.fromCodePoint(cp) : '\ufffd';
    })
    .replace(/\\([\s\S])/g, '$1')
    .replace(/\\/g, '');
  s = s.replace(/\/\*[\s\S]*?(?:\*\/|$)/g, '');
  s = s.replace(/</g, '');
  s = s.replace(/@import\b[^;{}]*(?:;|$)/gi, '');
  s = s.replace(/(?:-webkit-|-moz-)?(?:url|image-set|image|cross-fade|element|paint|src|expression)\s*\(/gi, 'blocked(');
  s = s.replace(/(?:behavior|-moz-binding)\s*:/gi, 'blocked:');
  return s;
}

function absoluteHttp(url: string): boolean {
  return /^https?:\/\/[^\s/]/i.test(url);
}

function cidOf(src: string): string | null {
  const m = /^cid:(.+)$/i.exec(src.trim());
  if (!m?.[1]) return null;
  let id = m[1].trim().replace(/^<|>$/g, '');
  try {
    id = decodeURIComponent(id);
  } catch {
    // not percent-encoded after all
  }
  return id.toLowerCase();
}

/** The `cid:` ids the HTML refers to from images, lower case. */
export function inlineImageRefs(html: string): Set<string> {
  const out = new Set<string>();
  for (const m of html.matchAll(/\bsrc\s*=\s*["']?\s*(cid:[^"'\s>]+)/gi)) {
    const id = m[1] ? cidOf(m[1]) : null;
    if (id) out.add(id);
  }
  return out;
}

function blockImage(img: Element, why: string): void {
  img.removeAttribute('src');
  img.setAttribute('class', `${img.getAttribute('class') ?? ''} ec-blocked`.trim());
  if (!img.getAttribute('alt')) img.setAttribute('alt', why);
  img.setAttribute('title', why);
}

export function prepareHtml(html: string, opts: { allowRemote: boolean; inline: InlineImages }): PreparedHtml {
  const root = purify.sanitize(html, {
    WHOLE_DOCUMENT: true,
    RETURN_DOM: true,
    USE_PROFILES: { html: true },
    FORBID_TAGS,
    FORBID_ATTR,
    ALLOW_DATA_ATTR: false,
    ALLOW_UNKNOWN_PROTOCOLS: false,
    KEEP_CONTENT: true,
  }) as Element;
  const doc = root.ownerDocument;
  const head = root.querySelector('head') ?? doc.createElement('head');
  const body = root.querySelector('body') ?? doc.createElement('body');

  for (const el of root.querySelectorAll('style')) el.textContent = cleanCss(el.textContent ?? '');
  for (const el of root.querySelectorAll('[style]')) {
    const css = cleanCss(el.getAttribute('style') ?? '').trim();
    if (css) el.setAttribute('style', css);
    else el.removeAttribute('style');
  }

  let remoteImages = 0;
  let missingInline = 0;
  const imageHeights: PreparedHtml['measure']['imageHeights'] = [];
  for (const img of body.querySelectorAll('img')) {
    const src = (img.getAttribute('src') ?? '').trim();
    const cid = cidOf(src);
    if (cid !== null) {
      const data = opts.inline.get(cid);
      if (data) img.setAttribute('src', data);
      else {
        missingInline++;
        blockImage(img, '[inline image not available]');
      }
    } else if (absoluteHttp(src)) {
      remoteImages++;
      if (opts.allowRemote) img.setAttribute('referrerpolicy', 'no-referrer');
      else blockImage(img, '[remote image blocked]');
    } else if (!DATA_IMAGE.test(src)) {
      // Relative addresses would resolve against this app; other schemes have no business here.
      blockImage(img, '[image]');
    }
    imageHeights.push({ width: Number(img.getAttribute('width')) || 0, height: Number(img.getAttribute('height')) || 0 });
  }

  for (const a of body.querySelectorAll('a, area')) {
    const href = (a.getAttribute('href') ?? '').trim();
    // Only links that lead somewhere outside; a relative or #fragment one would open this app in the frame.
    if (!/^(?:https?:\/\/|mailto:|tel:)/i.test(href)) a.removeAttribute('href');
    else {
      a.setAttribute('target', '_blank');
      a.setAttribute('rel', 'noopener noreferrer');
      if (!a.getAttribute('title')) a.setAttribute('title', href);
    }
  }
  // Anything else that names a resource (the profile keeps few): dropped.
  for (const el of body.querySelectorAll('[src]')) if (el.tagName !== 'IMG') el.removeAttribute('src');

  const headExtras = [...head.children]
    .filter((el) => el.tagName === 'STYLE' || el.tagName === 'TITLE')
    .map((el) => el.outerHTML)
    .join('');
  const policy = framePolicy(opts.allowRemote);
  const out =
    '<!DOCTYPE html><html><head><meta charset="utf-8">' +
    `<meta http-equiv="Content-Security-Policy" content="${policy}">` +
    '<meta name="referrer" content="no-referrer"><meta http-equiv="x-dns-prefetch-control" content="off">' +
    `<style>${BASE_CSS}</style>${headExtras}</head>${body.outerHTML}</html>`;

  const text = (body.textContent ?? '').replace(/\s+/g, ' ').trim();
  const blocks = body.querySelectorAll('p,div,br,li,tr,h1,h2,h3,h4,h5,h6,blockquote,pre,hr,table').length;
  return { doc: out, remoteImages, missingInline, measure: { chars: text.length, blocks, imageHeights } };
}

const MIN_HEIGHT = 100;
export const MAX_FRAME_HEIGHT = 720;

/** A guess at the frame's height from the sanitized document (no layout of the mail in our page). */
export function estimateHeight(m: PreparedHtml['measure'], width: number): number {
  const w = Math.max(200, width - 16);
  const perLine = Math.max(20, Math.floor(w / 7.2));
  // Text lines, plus a line's worth for each block (paragraph margins, short lines of their own).
  let px = 24 + Math.ceil(m.chars / perLine) * 20 + m.blocks * 20;
  for (const img of m.imageHeights) {
    if (img.height > 0) px += img.width > w ? Math.round((img.height * w) / img.width) : img.height;
    else px += 24;
  }
  return Math.max(MIN_HEIGHT, Math.min(MAX_FRAME_HEIGHT, Math.round(px)));
}
