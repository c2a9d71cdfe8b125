// The agent WebSocket. Keeps the highest event seq seen, drops anything at or below it, and on a
// dropped connection reconnects with backoff (1s doubling to 30s) asking the hub for what it missed.
// It also carries presence: the hub names this tab's socket in its hello, sends who is connected
// (and what they view and write) once, then each change (presence.set / presence.gone, applied with
// applyPresence); realtime/presence.ts says what this tab does.
import { createSignal, getOwner, onCleanup } from 'solid-js';
import { assertNever } from '../../../worker/protocol/assert.ts';
import { applyPresence, type ClientFrame, type PresenceEntry, type ServerEvent, type ServerEventType, type ServerFrame } from '../../../worker/protocol/events.ts';

export type ConnectionState = 'connecting' | 'live' | 'reconnecting';

const MIN_DELAY = 1_000;
const MAX_DELAY = 30_000;
/** A connection that stayed up this long resets the backoff. */
const STABLE_AFTER = 10_000;
const PING_EVERY = 25_000;
/** Nothing heard (not even the hub's "pong") for this long: assume the socket is dead. */
const SILENCE_LIMIT = 60_000;

const [state, setState] = createSignal<ConnectionState>('connecting');
export const connectionState = state;

/** This tab's socket as the hub named it in its hello; null while not connected. */
const [socketId, setSocketId] = createSignal<string | null>(null);
export const ownSocketId = socketId;
/** Everyone connected to the hub (this tab included), as its last presence frame said. */
const [presence, setPresence] = createSignal<PresenceEntry[]>([]);
export const presenceEntries = presence;

type EventListener = (event: ServerEvent) => void;
type ResyncListener = () => void;
const eventListeners = new Set<EventListener>();
const resyncListeners = new Set<ResyncListener>();
const helloListeners = new Set<() => void>();

let lastSeq = 0;
/** Set by the first hello: history before it is already in whatever the page fetched. */
let baselined = false;
let socket: WebSocket | null = null;
let delay = MIN_DELAY;
let retryTimer: ReturnType<typeof setTimeout> | undefined;
let pingTimer: ReturnType<typeof setInterval> | undefined;
let openedAt = 0;
let lastHeard = 0;
let started = false;

/** Calls `fn` for every new event while the calling component is mounted. */
export function onServerEvent(fn: EventListener): void {
  eventListeners.add(fn);
  if (getOwner()) onCleanup(() => eventListeners.delete(fn));
}

/** Calls `fn` when events may have been missed and whatever is on screen should be refetched. */
export function onResync(fn: ResyncListener): void {
  resyncListeners.add(fn);
  if (getOwner()) onCleanup(() => resyncListeners.delete(fn));
}

export function currentSeq(): number {
  return lastSeq;
}

/** Calls `fn` after every hello, i.e. on each (re)connection: a new socket knows nothing of this tab yet. */
export function onHello(fn: () => void): void {
  helloListeners.add(fn);
  if (getOwner()) onCleanup(() => helloListeners.delete(fn));
}

/** Sends a frame to the hub if the socket is open; false when it could not (it is then up to onHello). */
export function sendFrame(frame: ClientFrame): boolean {
  const ws = socket;
  if (!ws || ws.readyState !== WebSocket.OPEN) return false;
  try {
    ws.send(JSON.stringify(frame));
    return true;
  } catch {
    return false;
  }
}

/** Whatever the hub said about who is online is stale once its socket is gone. */
function forgetPresence(): void {
  setSocketId(null);
  setPresence([]);
}

let listening = false;
let onHandshakeFailed: (() => void) | null = null;

/** Called whenever a connection attempt is refused or fails before opening. */
export function setHandshakeFailedHandler(fn: (() => void) | null): void {
  onHandshakeFailed = fn;
}

/** Connects (once signed in); calling it again while running does nothing. */
export function startLive(): void {
  if (started) return;
  started = true;
  if (!listening) {
    listening = true;
    window.addEventListener('online', () => reconnectNow());
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') reconnectNow();
    });
  }
  setState('connecting');
  delay = MIN_DELAY;
  connect();
}

/**
 * Disconnects and forgets the position (on sign-out, or when the session ended): the next start
 * baselines afresh, since whoever signs in next refetches everything anyway.
 */
export function stopLive(): void {
  if (!started) return;
  started = false;
  clearTimeout(retryTimer);
  retryTimer = undefined;
  clearInterval(pingTimer);
  const ws = socket;
  socket = null;
  ws?.close(1000, 'signed out');
  forgetPresence();
  lastSeq = 0;
  baselined = false;
  setState('connecting');
}

function reconnectNow(): void {
  if (!started || socket) return;
  clearTimeout(retryTimer);
  delay = MIN_DELAY;
  connect();
}

function connect(): void {
  retryTimer = undefined;
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  let ws: WebSocket;
  try {
    ws = new WebSocket(`${scheme}://${location.host}/api/live?since=${lastSeq}`);
  } catch {
    scheduleReconnect();
    return;
  }
  socket = ws;
  openedAt = 0;
  ws.onopen = () => {
    if (socket !== ws) return;
    openedAt = Date.now();
    lastHeard = openedAt;
    clearInterval(pingTimer);
    pingTimer = setInterval(() => {
      if (Date.now() - lastHeard > SILENCE_LIMIT) ws.close(4000, 'silent');
      else if (ws.readyState === WebSocket.OPEN) ws.send('ping');
    }, PING_EVERY);
  };
  ws.onmessage = (msg) => {
    // A socket closed by stopLive may still deliver what was in flight: not ours any more.
    if (socket !== ws) return;
    lastHeard = Date.now();
    if (typeof msg.data !== 'string' || msg.data === 'pong') return;
    let frame: unknown;
    try {
      frame = JSON.parse(msg.data) as unknown;
    } catch {
      return;
    }
    // Frames and events this build does not know yet are ignored.
    if (isKnownFrame(frame)) handleFrame(frame);
  };
  ws.onclose = () => {
    if (socket !== ws) return;
    socket = null;
    clearInterval(pingTimer);
    forgetPresence();
    if (openedAt && Date.now() - openedAt > STABLE_AFTER) delay = MIN_DELAY;
    // Refused before it opened: perhaps the session ended (a handshake tells no reasons).
    if (!openedAt) onHandshakeFailed?.();
    scheduleReconnect();
  };
  // Errors are always followed by close, which does the work.
  ws.onerror = () => {};
}

function scheduleReconnect(): void {
  if (!started) return;
  setState('reconnecting');
  clearTimeout(retryTimer);
  const wait = delay * (0.8 + Math.random() * 0.4);
  delay = Math.min(delay * 2, MAX_DELAY);
  retryTimer = setTimeout(connect, wait);
}

function handleFrame(frame: ServerFrame): void {
  switch (frame.type) {
    case 'hello': {
      setState('live');
      setSocketId(typeof frame.socketId === 'string' ? frame.socketId : null);
      for (const fn of [...helloListeners]) {
        try {
          fn();
        } catch (err) {
          console.error('hello handler failed', err);
        }
      }
      if (!baselined) {
        // First connection of this page: the hub would replay history we already fetched over HTTP.
        // Start from its position, and refetch once to cover anything between our fetch and now.
        baselined = true;
        lastSeq = Math.max(lastSeq, frame.lastSeq);
        emitResync();
      } else if (frame.lastSeq < lastSeq) {
        // The hub's sequence went backwards (a reset database): start over from its position.
        lastSeq = frame.lastSeq;
        emitResync();
      }
      // Otherwise the hub replays everything after `since`, or sends `resync`.
      return;
    }
    case 'resync':
      lastSeq = Math.max(lastSeq, frame.lastSeq);
      emitResync();
      return;
    case 'presence':
      setPresence(Array.isArray(frame.agents) ? frame.agents.filter(isPresenceEntry) : []);
      return;
    case 'presence.set':
      if (isPresenceEntry(frame.entry)) setPresence((list) => applyPresence(list, frame));
      return;
    case 'presence.gone':
      if (typeof frame.socketId === 'string') setPresence((list) => applyPresence(list, frame));
      return;
    case 'event': {
      const event = frame.event;
      if (!isKnownEvent(event) || typeof event.seq !== 'number' || event.seq <= lastSeq) return;
      lastSeq = event.seq;
      for (const fn of [...eventListeners]) {
        try {
          fn(event);
        } catch (err) {
          console.error('live event handler failed', err);
        }
      }
      return;
    }
    default:
      assertNever(frame, 'frame');
  }
}

// Every type this build handles, as Records so that a new one in the protocol must be added here.
const FRAME_TYPES: Record<ServerFrame['type'], true> = { hello: true, resync: true, presence: true, 'presence.set': true, 'presence.gone': true, event: true };
const EVENT_TYPES: Record<ServerEventType, true> = {
  'case.created': true,
  'case.updated': true,
  'message.added': true,
  'inbound.held': true,
  'inbound.resolved': true,
  'inbound.reprocessed': true,
  'delivery.updated': true,
  'sla.updated': true,
  'flood.detected': true,
  'tag.updated': true,
  'contact.updated': true,
  'case.merged': true,
  'case.split': true,
  'notification.added': true,
  'draft.updated': true,
};

function hasKnownType(v: unknown, types: Record<string, true>): boolean {
  if (typeof v !== 'object' || v === null) return false;
  const type = (v as { type?: unknown }).type;
  return typeof type === 'string' && Object.hasOwn(types, type);
}

function isKnownFrame(v: unknown): v is ServerFrame {
  return hasKnownType(v, FRAME_TYPES);
}

/** An event of a type this build knows: the stores' exhaustive switches never see another. */
function isKnownEvent(v: unknown): v is ServerEvent {
  return hasKnownType(v, EVENT_TYPES);
}

function isPresenceEntry(p: unknown): p is PresenceEntry {
  if (typeof p !== 'object' || p === null) return false;
  const e = p as Record<string, unknown>;
  const caseRef = (v: unknown) => v === null || typeof v === 'string';
  return typeof e.socketId === 'string' && typeof e.agentId === 'string' && typeof e.name === 'string' && caseRef(e.viewing) && caseRef(e.composing);
}

function emitResync(): void {
  for (const fn of [...resyncListeners]) {
    try {
      fn();
    } catch (err) {
      console.error('resync handler failed', err);
    }
  }
}
