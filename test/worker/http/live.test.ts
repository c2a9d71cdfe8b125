// GET /api/live: the agents' WebSocket through the InboxHub Durable Object.
import { describe, expect, it, vi } from 'vitest';
import type { CaseSummary } from '../../../worker/protocol/api.ts';
import type { ServerFrame } from '../../../worker/protocol/events.ts';
import type { Deps } from '../../../worker/deps.ts';
import { seeded } from '../helpers.ts';
import { call, deliver, expectError, mail, newCase, ORIGIN, OTHER, otherWorkspace, patch } from './client.ts';

interface Live {
  ws: WebSocket;
  frames: ServerFrame[];
  /** Resolves with the first frame (seen or still to come) matching `pred`. */
  waitFor(pred: (f: ServerFrame) => boolean, ms?: number): Promise<ServerFrame>;
  /** Closes the socket and waits for the hub to close its end. */
  close(): Promise<void>;
}

async function connect(query = '', headers: Record<string, string> = { Origin: ORIGIN }): Promise<Live> {
  const res = await call(`/api/live${query}`, { headers: { Upgrade: 'websocket', ...headers } });
  expect(res.status).toBe(101);
  const ws = res.webSocket;
  expect(ws).toBeTruthy();
  const frames: ServerFrame[] = [];
  ws!.addEventListener('message', (e) => {
    const frame = JSON.parse(e.data as string) as ServerFrame;
    // Presence frames come and go with every connection; these tests are about events.
    if (!frame.type.startsWith('presence')) frames.push(frame);
  });
  ws!.accept();
  return {
    ws: ws!,
    frames,
    waitFor(pred, ms = 5000) {
      return vi.waitFor(
        () => {
          const hit = frames.find(pred);
          if (!hit) throw new Error(`no matching frame; got ${JSON.stringify(frames)}`);
          return hit;
        },
        { timeout: ms, interval: 10 },
      );
    },
    async close() {
      // The hub answers a close with its own (webSocketClose); a hub that never does fails the test
      // by its timeout rather than being waited out here.
      const closed = new Promise<number>((resolve) => ws!.addEventListener('close', (e) => resolve(e.code)));
      ws!.close(1000, 'test done');
      expect(await closed).toBe(1000);
    },
  };
}

const isEvent = (type: string) => (f: ServerFrame) => f.type === 'event' && f.event.type === type;

async function twoCases(deps: Deps): Promise<void> {
  await newCase(deps, 'before one');
  await newCase(deps, 'before two');
}

describe('GET /api/live', () => {
  it('without an Upgrade header is a 400 bad_request', async () => {
    await seeded();
    const body = await expectError(await call('/api/live'), 400, 'bad_request');
    expect(body.error.message).toContain('WebSocket');
    await expectError(await call('/api/live', { headers: { Upgrade: 'h2c' } }), 400, 'bad_request');
  });

  it('a foreign Origin is a 403 forbidden (cross-site WebSocket hijacking)', async () => {
    await seeded();
    for (const origin of ['https://evil.example', 'null', 'https://edgecase.test', 'http://edgecase.test.evil.example']) {
      await expectError(await call('/api/live', { headers: { Upgrade: 'websocket', Origin: origin } }), 403, 'forbidden');
    }
  });

  it('a same-origin upgrade is a 101 whose first frame is hello with the last seq', async () => {
    const deps = await seeded();
    await twoCases(deps);
    const live = await connect('', { Origin: ORIGIN, Upgrade: 'WebSocket' });
    try {
      const hello = await live.waitFor(() => true);
      expect(hello).toMatchObject({ type: 'hello', lastSeq: 2 });
      expect(live.frames[0]).toEqual(hello);
    } finally {
      await live.close();
    }
  });

  it('a fresh workspace says hello with lastSeq 0', async () => {
    await seeded();
    const live = await connect();
    try {
      expect(await live.waitFor(() => true)).toMatchObject({ type: 'hello', lastSeq: 0 });
    } finally {
      await live.close();
    }
  });

  it('pushes case.created when mail arrives', async () => {
    const deps = await seeded();
    await twoCases(deps);
    const live = await connect();
    try {
      await live.waitFor((f) => f.type === 'hello');
      await deliver(deps, mail({ Subject: 'Live one', From: 'Dora <dora@example.com>' }), { from: 'dora@example.com' });
      const frame = await live.waitFor(isEvent('case.created'));
      expect(frame.type === 'event' && frame.event).toMatchObject({
        type: 'case.created',
        seq: 3,
        case: { subject: 'Live one', number: 3, status: 'new', contact: { email: 'dora@example.com', name: 'Dora' } },
      });
      if (frame.type === 'event' && frame.event.type === 'case.created') expect(frame.event.caseId).toBe(frame.event.case.id);
    } finally {
      await live.close();
    }
  });

  it('pushes case.updated after a PATCH, with the same seq as the stored event', async () => {
    const deps = await seeded();
    const id = await newCase(deps, 'to update');
    const live = await connect();
    try {
      await live.waitFor((f) => f.type === 'hello');
      const res = await patch(`/api/cases/${id}`, { assigneeId: 'agt_ben', priority: 'high' });
      expect(((await res.json()) as CaseSummary).priority).toBe('high');
      const frame = await live.waitFor(isEvent('case.updated'));
      expect(frame).toMatchObject({ type: 'event', event: { type: 'case.updated', caseId: id, seq: 2, changes: { priority: 'high', assignee: { id: 'agt_ben', name: 'Ben Agent' } } } });
    } finally {
      await live.close();
    }
  });

  it('pushes inbound.held for held mail', async () => {
    const deps = await seeded();
    const live = await connect();
    try {
      await live.waitFor((f) => f.type === 'hello');
      await deliver(
        deps,
        mail(
          {
            From: 'Mail Delivery System <MAILER-DAEMON@mx.example.net>',
            Subject: 'Undelivered Mail Returned to Sender',
            'Auto-Submitted': 'auto-replied',
            'Content-Type': 'multipart/report; report-type=delivery-status; boundary="x"',
          },
          '--x\r\nContent-Type: text/plain\r\n\r\nfailed\r\n--x\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.net\r\n\r\nFinal-Recipient: rfc822; bob@example.net\r\nAction: failed\r\nStatus: 5.1.1\r\n--x--',
        ),
        { from: 'MAILER-DAEMON@mx.example.net' },
      );
      const frame = await live.waitFor(isEvent('inbound.held'));
      expect(frame).toMatchObject({ type: 'event', event: { type: 'inbound.held', status: 'ignored', reason: 'bounce', seq: 1 } });
    } finally {
      await live.close();
    }
  });

  it('replays what a reconnecting client missed, after the hello', async () => {
    const deps = await seeded();
    await twoCases(deps);
    await newCase(deps, 'third');
    const live = await connect('?since=1');
    try {
      await live.waitFor((f) => f.type === 'event' && f.event.seq === 3);
      expect(live.frames.map((f) => (f.type === 'event' ? `event:${f.event.seq}` : f.type === 'hello' || f.type === 'resync' ? `${f.type}:${f.lastSeq}` : f.type))).toEqual([
        'hello:3',
        'event:2',
        'event:3',
      ]);
    } finally {
      await live.close();
    }
  });

  it('a non-browser client without Origin may connect', async () => {
    await seeded();
    const live = await connect('', {});
    try {
      expect(await live.waitFor(() => true)).toMatchObject({ type: 'hello', lastSeq: 0 });
    } finally {
      await live.close();
    }
  });

  it("does not receive another workspace's events", async () => {
    const deps = await seeded();
    await otherWorkspace(deps);
    const live = await connect();
    try {
      await live.waitFor((f) => f.type === 'hello');
      await deliver(deps, mail({ To: OTHER.mailbox, Subject: 'Other team only' }), { to: OTHER.mailbox });
      await deliver(deps, mail({ Subject: 'Ours' }));
      await live.waitFor(isEvent('case.created'));
      const events = live.frames.filter((f) => f.type === 'event');
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ event: { case: { subject: 'Ours' } } });
    } finally {
      await live.close();
    }
  });
});
