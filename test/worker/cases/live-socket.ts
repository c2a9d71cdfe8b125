// An agent's socket on the hub for the tests of case changes: what it received, and a wait for a frame.
import { expect, vi } from 'vitest';
import type { ServerEvent, ServerFrame } from '../../../worker/protocol/events.ts';
import { call, ORIGIN } from '../http/client.ts';

export interface Socket {
  events: ServerEvent[];
  /** Resolves once `n` events matching `pred` have arrived (seen or still to come). */
  waitFor(pred: (e: ServerEvent) => boolean, n?: number): Promise<ServerEvent[]>;
  close(): Promise<void>;
}

export async function openSocket(): Promise<Socket> {
  const res = await call('/api/live', { headers: { Upgrade: 'websocket', Origin: ORIGIN } });
  expect(res.status).toBe(101);
  const ws = res.webSocket!;
  const events: ServerEvent[] = [];
  ws.addEventListener('message', (e) => {
    const frame = JSON.parse(e.data as string) as ServerFrame;
    if (frame.type === 'event') events.push(frame.event);
  });
  ws.accept();
  // The hub greets every socket; after the greeting it is subscribed.
  await new Promise<void>((resolve) => {
    const hello = (e: MessageEvent) => {
      if ((JSON.parse(e.data as string) as ServerFrame).type === 'hello') {
        ws.removeEventListener('message', hello);
        resolve();
      }
    };
    ws.addEventListener('message', hello);
  });
  return {
    events,
    waitFor(pred, n = 1) {
      return vi.waitFor(
        () => {
          const hits = events.filter(pred);
          if (hits.length < n) throw new Error(`${hits.length} of ${n} events; got ${events.map((e) => e.type).join(', ')}`);
          return hits;
        },
        { timeout: 10_000, interval: 10 },
      );
    },
    async close() {
      const closed = new Promise<void>((resolve) => ws.addEventListener('close', () => resolve()));
      ws.close(1000, 'test done');
      await closed;
    },
  };
}
