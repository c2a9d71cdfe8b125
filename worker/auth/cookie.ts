// The session cookie's name and attributes (AUTH_MODE=password).

/**
 * Over HTTPS the cookie is `__Host-` prefixed: browsers then accept it only with Secure, Path=/ and no
 * Domain, so a sibling subdomain cannot plant or overwrite it (cookie tossing). Browsers refuse a
 * `__Host-` cookie without Secure, and Secure cookies are not stored over plain http://localhost by
 * every browser, so local development over HTTP uses the plain name.
 */
export const SESSION_COOKIE_HTTPS = '__Host-edgecase_session';
export const SESSION_COOKIE_HTTP = 'edgecase_session';

export function isHttps(requestUrl: string): boolean {
  return new URL(requestUrl).protocol === 'https:';
}

/** Only the name that matches the scheme is ever read: over HTTPS a plain-named cookie is ignored. */
export function sessionCookieName(requestUrl: string): string {
  return isHttps(requestUrl) ? SESSION_COOKIE_HTTPS : SESSION_COOKIE_HTTP;
}

export function sessionCookieOptions(requestUrl: string, maxAgeSeconds: number) {
  return { httpOnly: true, sameSite: 'Lax', path: '/', secure: isHttps(requestUrl), maxAge: maxAgeSeconds } as const;
}
