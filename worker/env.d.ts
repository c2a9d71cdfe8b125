// Bindings that wrangler.toml cannot declare: secrets (set with `wrangler secret put`, locally in
// .dev.vars). The generated worker-configuration.d.ts declares the rest; both Env spellings get them.
interface Secrets {
  /** HMAC key for reply tokens. Generated into .dev.vars on first `npm start`. */
  REPLY_TOKEN_KEY: string;
}
interface Env extends Secrets {}
declare namespace Cloudflare {
  interface Env extends Secrets {}
}
