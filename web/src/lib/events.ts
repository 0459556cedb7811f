// The /ws event stream: typed events, reconnection with `last_seq`, visible connection state.
import type { EventType, ServerEvent } from "../generated/api";

/** Each event type's own event (its `data` typed from the server's events schema). */
export type EventMap = { [E in ServerEvent as E["type"]]: E };
/** One handler per event type: a new type on the server is a compile error until handled. */
export type EventHandlers = { [K in EventType]: (event: EventMap[K]) => void };

/** Call the handler of the event's own type. */
export function dispatch<K extends EventType>(handlers: EventHandlers, type: K, event: EventMap[K]): void {
  handlers[type](event);
}

export type ConnectionState = "connecting" | "open" | "reconnecting" | "closed";

export interface StreamHooks {
  onEvent(event: ServerEvent): void;
  onState(state: ConnectionState, detail: string): void;
  /** Called after every (re)connection, to restate subscriptions. */
  onOpen(): void;
}

export function clientId(): string {
  const key = "auteur.client_id";
  let id = sessionStorage.getItem(key);
  if (!id) {
    id = `web-${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
    sessionStorage.setItem(key, id);
  }
  return id;
}

export class EventStream {
  private socket: WebSocket | null = null;
  private lastSeq: number | null = null;
  private retry = 0;
  private timer: number | undefined;
  private stopped = false;

  constructor(
    readonly clientId: string,
    private readonly hooks: StreamHooks,
  ) {}

  get seq(): number | null {
    return this.lastSeq;
  }

  connect(): void {
    this.stopped = false;
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const params = new URLSearchParams({ client_id: this.clientId });
    if (this.lastSeq !== null) params.set("last_seq", String(this.lastSeq));
    const url = `${scheme}://${location.host}/ws?${params}`;
    this.hooks.onState(this.retry ? "reconnecting" : "connecting", url);
    const socket = new WebSocket(url);
    this.socket = socket;
    socket.onopen = () => {
      this.retry = 0;
      this.hooks.onState("open", this.lastSeq === null ? "connected" : `resumed after #${this.lastSeq}`);
      this.hooks.onOpen();
    };
    socket.onmessage = (message) => {
      const event: ServerEvent = JSON.parse(String(message.data));
      if (typeof event.seq === "number" && event.type !== "heartbeat") {
        if (this.lastSeq !== null && event.seq <= this.lastSeq) return; // replayed twice
        this.lastSeq = event.seq;
      }
      this.hooks.onEvent(event);
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      if (this.stopped) {
        this.hooks.onState("closed", "closed");
        return;
      }
      this.retry += 1;
      const delay = Math.min(5000, 250 * 2 ** Math.min(this.retry, 5));
      this.hooks.onState("reconnecting", `retrying in ${(delay / 1000).toFixed(1)} s`);
      this.timer = window.setTimeout(() => this.connect(), delay);
    };
    socket.onerror = () => {
      /* onclose follows and schedules the retry */
    };
  }

  send(message: Record<string, unknown>): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }

  /** Drop the socket as a network failure would (the stream reconnects with last_seq). */
  drop(): void {
    this.socket?.close();
  }

  close(): void {
    this.stopped = true;
    window.clearTimeout(this.timer);
    this.socket?.close();
  }
}
