// Types of demo-mail.mjs for the TypeScript tests that deliver the demo mail inside workerd.
export interface DemoMail {
  from: string;
  to: string;
  subject: string;
  raw: string;
}
export const MAILBOX: string;
export function message(fields: { from: string; subject: string; id: string; date: string; body: string; headers?: Record<string, string>; to?: string }): string;
export function demoMessages(): DemoMail[];
export function headerBlock(raw: string): string;
export function deliveryReport(fields: { id: string; date: string; mta?: string; recipient: string; status: string; diagnostic: string; prose: string; originalHeaders: string; to?: string }): string;
export function demoBounce(ackRaw: string): DemoMail;
