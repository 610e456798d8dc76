// The only owner of the event WebSocket: reconnects with backoff; every connection starts with a snapshot.
import type { ServerEvent } from "./api-types";
import { token } from "./bridge";
import { isEvent } from "./wire";

export type Listener = (event: ServerEvent) => void;
export type Status = "connecting" | "open" | "closed";

export function backoff(attempt: number): number {
  return Math.min(10_000, 250 * 2 ** Math.min(attempt, 6));
}

export class EventStream {
  private listeners = new Set<Listener>();
  private statusListeners = new Set<(s: Status) => void>();
  private socket: WebSocket | null = null;
  private attempt = 0;
  private stopped = false;
  status: Status = "connecting";

  start(): void {
    this.stopped = false;
    this.connect();
  }

  private setStatus(s: Status): void {
    this.status = s;
    this.statusListeners.forEach((l) => l(s));
  }

  private connect(): void {
    const proto = window.location.protocol === "https:" ? "wss" : "ws";
    const ws = new WebSocket(`${proto}://${window.location.host}/ws?token=${encodeURIComponent(token())}`);
    this.socket = ws;
    this.setStatus("connecting");
    ws.onopen = () => {
      this.attempt = 0;
      this.setStatus("open");
    };
    ws.onmessage = (msg) => {
      let event: unknown = null;
      try { event = JSON.parse(String(msg.data)); } catch { /* not JSON: dropped below */ }
      if (!isEvent(event)) return; // logged by isEvent
      this.listeners.forEach((l) => l(event));
    };
    ws.onclose = () => {
      this.setStatus("closed");
      if (!this.stopped) setTimeout(() => this.connect(), backoff(this.attempt++));
    };
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onStatus(listener: (s: Status) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  stop(): void {
    this.stopped = true;
    this.socket?.close();
  }
}

export const events = new EventStream();
