// InboxHub: one Durable Object per workspace fanning events out to agents' WebSockets. It uses the
// Hibernation API, so idle sockets cost nothing, and keeps nothing it cannot rebuild: after eviction
// the sockets come back from ctx.getWebSockets() with who they are (serializeAttachment), presence
// is read off them again, and missed events come from D1 by seq.
import { DurableObject } from 'cloudflare:workers';
import { assertNever } from '../protocol/assert.ts';
import type { PresenceEntry, ServerEvent, ServerFrame } from '../protocol/events.ts';
import { readClientFrame } from './client-frame.ts';

/** A client further behind than this refetches instead of replaying. */
export const MAX_REPLAY = 500;
const MAX_FRAME = 4096;

interface SocketInfo {
  /** One per browser tab: an agent may have several. */
  socketId: string;
  agentId: string;
  name: string;
  workspaceId: string;
  connectedAt: number;
  viewing: string | null;
  composing: string | null;
}

export class InboxHub extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // Answered by the runtime without waking the object.
    this.ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair('ping', 'pong'));
  }

  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get('Upgrade')?.toLowerCase() !== 'websocket') return new Response('expected a WebSocket upgrade', { status: 426 });
    const url = new URL(request.url);
    const workspaceId = url.searchParams.get('workspace') ?? '';
    // No `since` (or 0): a fresh client that fetches lists itself and needs no history.
    const since = Number(url.searchParams.get('since') || '0');
    const info: SocketInfo = {
      socketId: crypto.randomUUID(),
      agentId: request.headers.get('X-Agent-Id') ?? 'anonymous',
      name: request.headers.get('X-Agent-Name') ?? 'Someone',
      workspaceId,
      connectedAt: Date.now(),
      viewing: null,
      composing: null,
    };
    const pair = new WebSocketPair();
    const [client, server] = [pair[0], pair[1]];
    this.ctx.acceptWebSocket(server, [`agent:${info.agentId}`]);
    server.serializeAttachment(info);
    const lastSeq = await this.lastSeq(workspaceId);
    send(server, { type: 'hello', lastSeq, socketId: info.socketId });
    await this.catchUp(server, workspaceId, since, lastSeq);
    // The newcomer gets everyone; everyone else gets the newcomer.
    send(server, { type: 'presence', agents: this.presence() });
    this.broadcastPresence({ type: 'presence.set', entry: entryOf(info) }, server);
    return new Response(null, { status: 101, webSocket: client });
  }

  private async lastSeq(workspaceId: string): Promise<number> {
    const row = await this.env.DB.prepare('SELECT COALESCE(MAX(seq), 0) AS seq FROM events WHERE workspace_id = ?').bind(workspaceId).first<{ seq: number }>();
    return row?.seq ?? 0;
  }

  /** Replays what a client missed since `since`, or tells it to refetch when that is too much. */
  private async catchUp(ws: WebSocket, workspaceId: string, since: number, lastSeq: number): Promise<void> {
    if (!Number.isInteger(since) || since <= 0 || since >= lastSeq) return;
    if (lastSeq - since > MAX_REPLAY) {
      send(ws, { type: 'resync', lastSeq });
      return;
    }
    const rows = await this.env.DB.prepare('SELECT seq, at, payload FROM events WHERE workspace_id = ? AND seq > ? ORDER BY seq LIMIT ?')
      .bind(workspaceId, since, MAX_REPLAY)
      .all<{ seq: number; at: number; payload: string }>();
    for (const r of rows.results) send(ws, { type: 'event', event: { ...JSON.parse(r.payload), seq: r.seq, at: r.at } as ServerEvent });
  }

  /** Called by the Worker over RPC after the events are in D1. */
  async publish(events: ServerEvent[]): Promise<number> {
    let delivered = 0;
    const frames = events.map((event) => JSON.stringify({ type: 'event', event } satisfies ServerFrame));
    for (const ws of this.ctx.getWebSockets()) {
      for (const frame of frames) if (sendRaw(ws, frame)) delivered++;
    }
    return delivered;
  }

  connections(): number {
    return this.ctx.getWebSockets().length;
  }

  /**
   * The agent ids with a socket open (each once), for least-open assignment. Read off the sockets'
   * tags, so it neither wakes them nor deserializes anything.
   */
  connectedAgents(): string[] {
    const ids = new Set<string>();
    for (const ws of this.ctx.getWebSockets()) {
      for (const tag of this.ctx.getTags(ws)) if (tag.startsWith('agent:')) ids.add(tag.slice('agent:'.length));
    }
    return [...ids];
  }

  /** Who is online, and what they look at and write in; read off the sockets, so it survives hibernation. */
  presence(): PresenceEntry[] {
    const out: PresenceEntry[] = [];
    for (const ws of this.ctx.getWebSockets()) {
      const info = ws.deserializeAttachment() as SocketInfo | null;
      if (info) out.push(entryOf(info));
    }
    return out;
  }

  /** One presence change to every socket but `except` (its own socket already knows). */
  private broadcastPresence(change: Extract<ServerFrame, { type: 'presence.set' | 'presence.gone' }>, except?: WebSocket): void {
    const frame = JSON.stringify(change satisfies ServerFrame);
    for (const ws of this.ctx.getWebSockets()) if (ws !== except) sendRaw(ws, frame);
  }

  private socketGone(ws: WebSocket): void {
    const info = ws.deserializeAttachment() as SocketInfo | null;
    if (info) this.broadcastPresence({ type: 'presence.gone', socketId: info.socketId }, ws);
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    if (typeof message !== 'string' || message.length > MAX_FRAME) {
      ws.close(1009, 'frame too large or not text');
      return;
    }
    const frame = readClientFrame(message);
    if (!frame) return; // not ours; ignored
    const info = ws.deserializeAttachment() as SocketInfo | null;
    if (!info) return;
    switch (frame.type) {
      case 'presence': {
        const viewing = typeof frame.viewing === 'string' && frame.viewing.length <= 100 ? frame.viewing : null;
        const composing = typeof frame.composing === 'string' && frame.composing.length <= 100 ? frame.composing : null;
        if (viewing === info.viewing && composing === info.composing) return;
        const next = { ...info, viewing, composing } satisfies SocketInfo;
        ws.serializeAttachment(next);
        this.broadcastPresence({ type: 'presence.set', entry: entryOf(next) });
        return;
      }
      case 'resume': {
        const since = Number(frame.since);
        await this.catchUp(ws, info.workspaceId, since, await this.lastSeq(info.workspaceId));
        return;
      }
      default:
        // Unreachable: readClientFrame lets through only the kinds above.
        assertNever(frame, 'client frame');
    }
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    try {
      ws.close(code === 1005 || code === 1006 ? 1000 : code, 'closing');
    } catch {
      // already closed
    }
    this.socketGone(ws);
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    this.socketGone(ws);
  }
}

function entryOf(info: SocketInfo): PresenceEntry {
  return { socketId: info.socketId, agentId: info.agentId, name: info.name, viewing: info.viewing, composing: info.composing, since: info.connectedAt };
}

function sendRaw(ws: WebSocket, frame: string): boolean {
  try {
    ws.send(frame);
    return true;
  } catch {
    return false; // one broken socket must not stop the others
  }
}

function send(ws: WebSocket, frame: ServerFrame): boolean {
  return sendRaw(ws, JSON.stringify(frame));
}
