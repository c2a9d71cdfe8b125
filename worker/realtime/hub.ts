// InboxHub: one Durable Object per workspace fanning events out to agents' WebSockets. It uses the
// Hibernation API, so idle sockets cost nothing, and keeps nothing it cannot rebuild: after eviction
// the sockets come back from ctx.getWebSockets() and missed events come from D1 by seq.
import { DurableObject } from 'cloudflare:workers';
import type { ServerEvent, ServerFrame } from '../protocol/events.ts';

/** A client further behind than this refetches instead of replaying. */
export const MAX_REPLAY = 500;

interface SocketInfo {
  agentId: string;
  connectedAt: number;
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
    const agentId = request.headers.get('X-Agent-Id') ?? 'anonymous';
    const pair = new WebSocketPair();
    const [client, server] = [pair[0], pair[1]];
    this.ctx.acceptWebSocket(server, [`agent:${agentId}`]);
    server.serializeAttachment({ agentId, connectedAt: Date.now() } satisfies SocketInfo);

    const last = await this.env.DB.prepare('SELECT COALESCE(MAX(seq), 0) AS seq FROM events WHERE workspace_id = ?').bind(workspaceId).first<{ seq: number }>();
    const lastSeq = last?.seq ?? 0;
    send(server, { type: 'hello', lastSeq });
    if (Number.isInteger(since) && since > 0 && since < lastSeq) {
      if (lastSeq - since > MAX_REPLAY) send(server, { type: 'resync', lastSeq });
      else for (const event of await this.replay(workspaceId, since)) send(server, { type: 'event', event });
    }
    return new Response(null, { status: 101, webSocket: client });
  }

  private async replay(workspaceId: string, since: number): Promise<ServerEvent[]> {
    const rows = await this.env.DB.prepare('SELECT seq, at, payload FROM events WHERE workspace_id = ? AND seq > ? ORDER BY seq LIMIT ?')
      .bind(workspaceId, since, MAX_REPLAY)
      .all<{ seq: number; at: number; payload: string }>();
    return rows.results.map((r) => ({ ...JSON.parse(r.payload), seq: r.seq, at: r.at }) as ServerEvent);
  }

  /** Called by the Worker over RPC after the events are in D1. */
  async publish(events: ServerEvent[]): Promise<number> {
    let delivered = 0;
    for (const ws of this.ctx.getWebSockets()) {
      for (const event of events) if (send(ws, { type: 'event', event })) delivered++;
    }
    return delivered;
  }

  connections(): number {
    return this.ctx.getWebSockets().length;
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    // The full client protocol (resume, presence) comes with the live inbox; unknown frames are ignored.
    if (typeof message === 'string' && message.length > 4096) ws.close(1009, 'frame too large');
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    try {
      ws.close(code === 1005 ? 1000 : code, 'closing');
    } catch {
      // already closed
    }
  }
}

function send(ws: WebSocket, frame: ServerFrame): boolean {
  try {
    ws.send(JSON.stringify(frame));
    return true;
  } catch {
    return false; // one broken socket must not stop the others
  }
}
