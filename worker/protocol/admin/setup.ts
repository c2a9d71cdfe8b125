// /api/admin/setup: the deployment checks and the test message.
import { z } from 'zod';

export const SETUP_CHECK_IDS = ['d1', 'r2', 'reply-token-key', 'send-email', 'auth-mode', 'access-config', 'app-url', 'mailbox', 'test-message'] as const;
export type SetupCheckId = (typeof SETUP_CHECK_IDS)[number];

export interface SetupCheck {
  id: SetupCheckId;
  label: string;
  /** `skip`: does not apply to this deployment (Access settings without AUTH_MODE=access). */
  status: 'ok' | 'warn' | 'fail' | 'skip';
  detail: string;
  /** What to do about it; empty when there is nothing to do. */
  fix: string;
}

export interface SetupStatus {
  ready: boolean;
  authMode: string;
  checks: SetupCheck[];
  mailboxes: Array<{ id: string; address: string; enabled: boolean }>;
}

export const testMessageBody = z
  .object({
    mailboxId: z.string('choose a mailbox').min(1, 'choose a mailbox').max(100),
  })
  .strict();

export const SETUP_TEST_SUBJECT = 'edgecase setup test';

export interface TestMessageResult {
  /** `rejected`: the Worker refused it as it would refuse it from outside (unknown or disabled mailbox, too large). */
  verdict: 'accepted' | 'rejected';
  inboundId: string | null;
  /** The inbound row's status once processed: `processed` means a case was opened. */
  status: string | null;
  reason: string | null;
  caseId: string | null;
  caseNumber: number | null;
  from: string;
  to: string;
}
