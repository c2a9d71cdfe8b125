// The InboxHub Durable Object: replay and resync by seq, presence, and what survives hibernation.
import { env, evictDurableObject, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it, vi } from 'vitest';
import type { InboxHub } from '../../../worker/realtime/hub.ts';
import { hubFor } from '../../../worker/realtime/publish.ts';
import { applyPresence, type PresenceEntry, type ServerFrame } from '../../../worker/protocol/events.ts';
import { DEMO, seeded } from '../helpers.ts';
import { call, newCase, ORIGIN } from '../http/client.ts';

interface Sock {
  ws: WebSocket;
  frames: ServerFrame[];
  next(pred: (f: ServerFrame) => boolean, ms?: number): Promise<ServerFrame>;
  /** Who this socket believes is connected, from the presence frames it got. */
  presence: PresenceEntry[];
  presenceWhere(pred: (list: PresenceEntry[]) => boolean, ms?: number): Promise<PresenceEntry[]>;
}

async function open(query = ''): Promise<Sock> {
  const res = await call(`/api/live${query}`, { headers: { Upgrade: 'websocket', Origin: ORIGIN } });
  expect(res.status).toBe(101);
  const ws = res.webSocket!;
  const frames: ServerFrame[] = [];
  const sock: Sock = {
    ws,
    frames,
    presence: [],
    presenceWhere(pred, ms = 5000) {
      return vi.waitFor(
        () => {
          if (!pred(sock.presence)) throw new Error(`presence never matched; it is ${JSON.stringify(sock.presence)}`);
          return sock.presence;
        },
        { timeout: ms, interval: 10 },
      );
    },
    next(pred, ms = 5000) {
      return vi.waitFor(
        () => {
          const i = frames.findIndex(pred);
          if (i < 0) throw new Error(`no matching frame; got ${JSON.stringify(frames)}`);
          return frames.splice(i, 1)[0]!;
        },
        { timeout: ms, interval: 10 },
      );
    },
  };
  ws.addEventListener('message', (e) => {
    const frame = JSON.parse(e.data as string) as ServerFrame;
    frames.push(frame);
    sock.presence = applyPresence(sock.presence, frame);
  });
  ws.accept();
  return sock;
}

const hub = () => hubFor(env.INBOX_HUB, DEMO.workspaceId);

async function addEvents(n: number) {
  const stmt = env.DB.prepare("INSERT INTO events (workspace_id, seq, case_id, type, actor, payload, at) VALUES (?, ?, NULL, 'inbound.held', 'system', ?, 0)");
  const rows = Array.from({ length: n }, (_, i) => stmt.bind(DEMO.workspaceId, i + 1, JSON.stringify({ type: 'inbound.held', caseId: null, inboundId: `in_${i}`, status: 'ignored', reason: 'test' })));
  for (let i = 0; i < rows.length; i += 100) await env.DB.batch(rows.slice(i, i + 100));
}

describe('InboxHub', () => {
  it('a client far behind is told to resync instead of replaying hundreds of events', async () => {
    await seeded();
    await addEvents(600);
    const s = await open('?since=10');
    expect(await s.next((f) => f.type === 'hello')).toMatchObject({ lastSeq: 600 });
    expect(await s.next((f) => f.type === 'resync')).toEqual({ type: 'resync', lastSeq: 600 });
    // The presence list comes after the catch-up: once it is here, any replayed event would be too.
    await s.next((f) => f.type === 'presence');
    expect(s.frames.some((f) => f.type === 'event')).toBe(false);
    s.ws.close();
  });

  it('a resume frame replays what was missed since a seq', async () => {
    await seeded();
    await addEvents(5);
    const s = await open();
    await s.next((f) => f.type === 'hello');
    s.ws.send(JSON.stringify({ type: 'resume', since: 3 }));
    const seqs = [(await s.next((f) => f.type === 'event')) as Extract<ServerFrame, { type: 'event' }>, (await s.next((f) => f.type === 'event')) as Extract<ServerFrame, { type: 'event' }>].map(
      (f) => f.event.seq,
    );
    expect(seqs).toEqual([4, 5]);
    s.ws.close();
  });

  it('presence: who views and who writes in which case reaches every agent', async () => {
    await seeded();
    const a = await open();
    const b = await open();
    await b.presenceWhere((list) => list.length === 2);
    a.ws.send(JSON.stringify({ type: 'presence', viewing: 'case_x', composing: 'case_x' }));
    const seen = await b.presenceWhere((list) => list.some((p) => p.viewing === 'case_x'));
    expect(seen.find((p) => p.viewing === 'case_x')).toMatchObject({ agentId: 'local', name: 'Local agent', composing: 'case_x' });
    // A closes its tab: B hears it.
    a.ws.close(1000);
    await b.presenceWhere((list) => list.length === 1 && list.every((p) => p.viewing === null));
    b.ws.close();
  });

  it('a newcomer gets the whole list once; the others get only the change, never the whole list again', async () => {
    await seeded();
    const a = await open();
    await a.presenceWhere((list) => list.length === 1);
    const b = await open();
    const c = await open();
    await c.presenceWhere((list) => list.length === 3);
    await a.presenceWhere((list) => list.length === 3);
    b.ws.close(1000);
    await a.presenceWhere((list) => list.length === 2);
    // C hears B go too: a whole list sent to it with that change would have come by now.
    await c.presenceWhere((list) => list.length === 2);
    const kinds = a.frames.filter((f) => f.type.startsWith('presence')).map((f) => (f.type === 'presence' ? `presence:${f.agents.length}` : f.type));
    expect(kinds).toEqual(['presence:1', 'presence.set', 'presence.set', 'presence.gone']);
    expect(c.frames.filter((f) => f.type === 'presence').map((f) => (f as Extract<ServerFrame, { type: 'presence' }>).agents.length)).toEqual([3]);
    a.ws.close();
    c.ws.close();
  });

  it('garbage frames are ignored; oversized ones close the socket', async () => {
    await seeded();
    const s = await open();
    const hello = (await s.next((f) => f.type === 'hello')) as Extract<ServerFrame, { type: 'hello' }>;
    s.ws.send('not json');
    s.ws.send(JSON.stringify({ type: 'presence', viewing: 'x'.repeat(500), composing: null }));
    // The hub takes a socket's frames in order: once a valid one after them is answered, the two
    // before were read, and neither closed the socket nor changed what it views.
    s.ws.send(JSON.stringify({ type: 'presence', viewing: 'case_after', composing: null }));
    await s.next((f) => f.type === 'presence.set' && f.entry.socketId === hello.socketId && f.entry.viewing === 'case_after');
    expect(s.frames.filter((f) => f.type === 'presence.set' && f.entry.socketId === hello.socketId)).toEqual([]);
    const closed = new Promise<number>((resolve) => s.ws.addEventListener('close', (e) => resolve(e.code)));
    s.ws.send('x'.repeat(5000));
    expect(await closed).toBe(1009);
  });

  it('after hibernation the sockets, who they are and what they view are still there; nothing is lost', async () => {
    const deps = await seeded();
    const s = await open();
    await s.next((f) => f.type === 'hello');
    s.ws.send(JSON.stringify({ type: 'presence', viewing: 'case_y', composing: null }));
    await s.presenceWhere((list) => list.some((p) => p.viewing === 'case_y'));
    await evictDurableObject(hub(), { webSockets: 'hibernate' });
    const presence = await runInDurableObject(hub(), (instance: InboxHub) => instance.presence());
    expect(presence.map((p) => p.viewing)).toEqual(['case_y']);
    // An event published after the eviction still arrives.
    await newCase(deps, 'after hibernation');
    const ev = (await s.next((f) => f.type === 'event' && f.event.type === 'case.created')) as Extract<ServerFrame, { type: 'event' }>;
    expect(ev.event).toMatchObject({ type: 'case.created', case: { subject: 'after hibernation' } });
    s.ws.close();
  });

  it('the socket takes its identity from the server, not from headers the client sends', async () => {
    await seeded();
    const res = await call('/api/live', { headers: { Upgrade: 'websocket', Origin: ORIGIN, 'X-Agent-Id': 'agt_ada', 'X-Agent-Name': 'Ada Admin' } });
    const ws = res.webSocket!;
    const presence = new Promise<Extract<ServerFrame, { type: 'presence' }>>((resolve) =>
      ws.addEventListener('message', (e) => {
        const frame = JSON.parse(e.data as string) as ServerFrame;
        if (frame.type === 'presence') resolve(frame);
      }),
    );
    ws.accept();
    expect((await presence).agents.map((a) => a.agentId)).toEqual(['local']);
    ws.close();
  });
});
