import type { Socket } from "node:net";
import { addressKey } from "../infra/net-address.js";

/**
 * Open sockets one address may hold, HTTP keep-alive and WebSocket together. A personal
 * gateway's real clients (a few browser tabs at 6 HTTP sockets and 1 WebSocket each,
 * the CLI, webhook senders) stay far below it even when they all arrive through one
 * proxy or tunnel; one flooding address stops here, long before file descriptors run out.
 */
export const MAX_SOCKETS_PER_ADDRESS = 128;
/**
 * Open sockets in all. Below the common 1,024 file-descriptor soft limit, leaving room
 * for the state store, log files, chat-app connections and model calls.
 */
export const MAX_OPEN_SOCKETS = 768;
/**
 * How long a socket may stay open without sending one complete request head (HTTP
 * request or WebSocket upgrade). Real clients send it at once; slowloris never does.
 */
export const REQUEST_HEAD_TIMEOUT_MS = 10_000;
/** How often sockets past REQUEST_HEAD_TIMEOUT_MS are looked for; a deadline is late by at most this. */
const SWEEP_INTERVAL_MS = 1_000;

export interface SocketLimits {
  perAddress: number;
  total: number;
  headTimeoutMs: number;
}

export const DEFAULT_SOCKET_LIMITS: SocketLimits = {
  perAddress: MAX_SOCKETS_PER_ADDRESS,
  total: MAX_OPEN_SOCKETS,
  headTimeoutMs: REQUEST_HEAD_TIMEOUT_MS,
};

interface AddressCount {
  key: string;
  open: number;
}

interface Tracked {
  count: AddressCount;
  since: number;
  /** Sent a complete request head: a client, never evicted for a newcomer. */
  proven: boolean;
}

/**
 * Caps open sockets per address (see `addressKey`) and in total, counted at the
 * server's `connection` event. When a cap is reached, the oldest socket that has not
 * yet sent a complete request head makes room (from the same address for the
 * per-address cap): a slowloris flood then only churns its own sockets while real
 * clients, which send their request at once, get in. With no such socket to evict,
 * the newcomer is destroyed. Sockets still without a request head after
 * `headTimeoutMs` are destroyed.
 */
export class SocketLimiter {
  /** Every open socket, in arrival order (Map keeps insertion order). */
  private readonly sockets = new Map<Socket, Tracked>();
  private readonly byAddress = new Map<string, AddressCount>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly limits: SocketLimits = DEFAULT_SOCKET_LIMITS,
    private readonly now: () => number = Date.now,
  ) {
    this.sweeper = setInterval(() => this.sweep(), SWEEP_INTERVAL_MS);
    this.sweeper.unref();
  }

  get openCount(): number {
    return this.sockets.size;
  }

  /** For the server's `connection` event: counts the socket, or destroys it (or an older one) over a cap. */
  admit(socket: Socket): boolean {
    const key = addressKey(socket.remoteAddress ?? "unknown");
    let count = this.byAddress.get(key);
    if (count && count.open >= this.limits.perAddress && !this.evictOldestUnproven(count)) {
      socket.destroy();
      return false;
    }
    if (this.sockets.size >= this.limits.total && !this.evictOldestUnproven()) {
      socket.destroy();
      return false;
    }
    if (!count) {
      count = { key, open: 0 };
      this.byAddress.set(key, count);
    }
    count.open++;
    this.sockets.set(socket, { count, since: this.now(), proven: false });
    socket.once("close", () => this.release(socket));
    return true;
  }

  /** A complete request head arrived on `socket` (a request or an upgrade): one Map lookup, no allocation. */
  proven(socket: Socket): void {
    const tracked = this.sockets.get(socket);
    if (tracked) tracked.proven = true;
  }

  stop(): void {
    clearInterval(this.sweeper);
  }

  private release(socket: Socket): void {
    const tracked = this.sockets.get(socket);
    if (!tracked) return;
    this.sockets.delete(socket);
    if (--tracked.count.open === 0) this.byAddress.delete(tracked.count.key);
  }

  /** Destroys the oldest socket without a request head (of `count`'s address when given). */
  private evictOldestUnproven(count?: AddressCount): boolean {
    for (const [socket, tracked] of this.sockets) {
      if (tracked.proven || (count && tracked.count !== count)) continue;
      // Released now, not at its `close` event a tick later, so the newcomer's slot is real.
      this.release(socket);
      socket.destroy();
      return true;
    }
    return false;
  }

  private sweep(): void {
    const deadline = this.now() - this.limits.headTimeoutMs;
    for (const [socket, tracked] of this.sockets) {
      // Arrival order: every later socket is younger.
      if (tracked.since > deadline) break;
      if (tracked.proven) continue;
      this.release(socket);
      socket.destroy();
    }
  }
}
