// The one place that talks to Cloudflare Email Service. Everything else sees the Mailer interface,
// so tests and the outbox do not care how a message leaves.
import { EmailMessage } from 'cloudflare:email';

export interface Mailer {
  /** Sends raw MIME to one envelope recipient; resolves with the provider's Message-ID. */
  send(from: string, to: string, raw: string): Promise<{ messageId: string }>;
}

export function cloudflareMailer(binding: SendEmail): Mailer {
  return {
    async send(from, to, raw) {
      const result = await binding.send(new EmailMessage(from, to, raw));
      return { messageId: (result?.messageId ?? '').replace(/^<|>$/g, '') };
    },
  };
}

export interface SendFailure {
  code: string;
  message: string;
  /** Retrying cannot help (the message, the sender or the recipient is the problem). */
  permanent: boolean;
  /** The recipient is on the provider's suppression list: they bounced or complained before. */
  suppressed: boolean;
}

// Email Service error codes (developers.cloudflare.com/email-service/api/send-emails/workers-api).
const TRANSIENT = new Set(['E_RATE_LIMIT_EXCEEDED', 'E_DAILY_LIMIT_EXCEEDED', 'E_INTERNAL_SERVER_ERROR']);

export function classifySendError(err: unknown): SendFailure {
  const code = typeof err === 'object' && err !== null && typeof (err as { code?: unknown }).code === 'string' ? (err as { code: string }).code : 'E_UNKNOWN';
  const message = (err instanceof Error ? err.message : String(err)).slice(0, 500);
  if (code === 'E_RECIPIENT_SUPPRESSED') return { code, message, permanent: true, suppressed: true };
  // Errors without a code are network or runtime trouble: worth another try.
  if (TRANSIENT.has(code) || code === 'E_UNKNOWN') return { code, message, permanent: false, suppressed: false };
  return { code, message, permanent: true, suppressed: false };
}
