// Bindings that wrangler.toml cannot declare: secrets (set with `wrangler secret put`, locally in
// .dev.vars) and test-only bindings. The generated worker-configuration.d.ts declares the rest.
interface Env {
  /** HMAC key for reply tokens. Generated into .dev.vars on first `npm start`. */
  REPLY_TOKEN_KEY: string;
}
