// Bindings that wrangler.toml cannot declare: secrets (set with `wrangler secret put`, locally in
// .dev.vars). The generated worker-configuration.d.ts declares the rest; both Env spellings get them.
interface Secrets {
  /** Where agents open the inbox, for links in notification mail (e.g. https://support.acme.com). */
  APP_URL?: string;
  /** Cloudflare Access (AUTH_MODE=access): the team domain, e.g. acme.cloudflareaccess.com. */
  ACCESS_TEAM_DOMAIN?: string;
  /** Cloudflare Access: the application's audience (AUD) tag. */
  ACCESS_AUD?: string;
  /** Benchmarks only: `publish-only` makes email() publish an event and store nothing. */
  DIAGNOSTIC_EMAIL?: string;
  DIAGNOSTIC_WORKSPACE?: string;
  /** Benchmarks only: `off` keeps no search index (the baseline of search_ingest_ratio). */
  SEARCH_INDEX?: string;
  /** HMAC key for reply tokens. Generated into .dev.vars on first `npm start`. */
  REPLY_TOKEN_KEY: string;
}
interface Env extends Secrets {}
declare namespace Cloudflare {
  interface Env extends Secrets {}
}
