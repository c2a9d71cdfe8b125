// Which sign-in the deployment uses, read from its variables. AUTH_MODE is a [vars] entry in
// wrangler.toml ("access"), overridden to "open" by .dev.vars on a developer's machine.
import type { AuthMode } from '../protocol/session.ts';
import { AUTH_MODES } from '../protocol/session.ts';

/**
 * The variables this file reads. Env satisfies it structurally; ACCESS_TEAM_DOMAIN and ACCESS_AUD are
 * optional (only access mode needs them), so they are read through this type rather than declared on Env.
 */
export interface AuthVars {
  AUTH_MODE?: string;
  /** e.g. `acme.cloudflareaccess.com` (a scheme or a trailing slash is tolerated). */
  ACCESS_TEAM_DOMAIN?: string;
  /** The Access application's audience (AUD) tag. */
  ACCESS_AUD?: string;
  /**
   * Set only by `npm start` (and the tests) on the `wrangler dev` it starts, a fresh random value
   * each time: the key to /api/dev/* (the demo seed) in every mode, from this machine only.
   */
  EDGECASE_DEV_TOKEN?: string;
}

/** Shorter values do not count: an empty or placeholder token must not open the dev routes. */
const MIN_DEV_TOKEN_LENGTH = 32;

/** The dev routes' key, or null when there is none (always so once deployed). */
export function readDevToken(vars: AuthVars): string | null {
  const token = (vars.EDGECASE_DEV_TOKEN ?? '').trim();
  return token.length >= MIN_DEV_TOKEN_LENGTH ? token : null;
}

export interface AccessConfig {
  /** Host name only, lower case: `acme.cloudflareaccess.com`. */
  teamDomain: string;
  /** `https://<teamDomain>`: what the token's `iss` must be. */
  issuer: string;
  certsUrl: string;
  audience: string;
}

export type AuthConfig = { mode: 'open' } | { mode: 'password' } | { mode: 'access'; access: AccessConfig | null } | { mode: null; raw: string };

function isMode(value: string): value is AuthMode {
  return (AUTH_MODES as readonly string[]).includes(value);
}

/** Exact spelling only: an unset, empty or mistyped mode (`OPEN`) must never fall back to open. */
export function readAuthConfig(vars: AuthVars): AuthConfig {
  const raw = vars.AUTH_MODE ?? '';
  if (!isMode(raw)) return { mode: null, raw };
  if (raw !== 'access') return { mode: raw };
  const domain = (vars.ACCESS_TEAM_DOMAIN ?? '')
    .trim()
    .toLowerCase()
    .replace(/^https:\/\//, '')
    .replace(/\/+$/, '');
  const audience = (vars.ACCESS_AUD ?? '').trim();
  // A host name and nothing else: the value ends up in the URL we fetch keys from.
  if (!audience || !/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/.test(domain)) return { mode: 'access', access: null };
  return {
    mode: 'access',
    access: { teamDomain: domain, issuer: `https://${domain}`, certsUrl: `https://${domain}/cdn-cgi/access/certs`, audience },
  };
}
