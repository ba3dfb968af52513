import { EventEmitter } from "node:events";
import type { Socket } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import { SocketLimiter } from "./socket-limits.js";

/** The part of a net.Socket the limiter uses; `destroy` closes it a tick later, as Node does. */
class FakeSocket extends EventEmitter {
  destroyed = false;
  constructor(readonly remoteAddress: string) {
    super();
  }
  destroy() {
    if (this.destroyed) return;
    this.destroyed = true;
    queueMicrotask(() => this.emit("close"));
  }
}

const limits = { perAddress: 3, total: 5, headTimeoutMs: 10_000 };
let limiter: SocketLimiter | undefined;
afterEach(() => {
  limiter?.stop();
  vi.useRealTimers();
});

function admit(address: string, proven = false): FakeSocket {
  const socket = new FakeSocket(address);
  limiter!.admit(socket as unknown as Socket);
  if (proven) limiter!.proven(socket as unknown as Socket);
  return socket;
}

describe("SocketLimiter", () => {
  it("over the per-address cap, the oldest socket without a request head makes room", () => {
    limiter = new SocketLimiter(limits);
    const [a, b, c] = [admit("10.0.0.1"), admit("10.0.0.1", true), admit("10.0.0.1")];
    const d = admit("10.0.0.1");
    expect([a, b, c, d].map((s) => s.destroyed)).toEqual([true, false, false, false]);
    expect(limiter.openCount).toBe(3);
  });

  it("with only proven sockets at the cap, the newcomer is refused; other addresses still get in", () => {
    limiter = new SocketLimiter(limits);
    const clients = [admit("::1", true), admit("127.0.0.1", true), admit("127.0.0.9", true)];
    const refused = admit("127.0.0.1");
    const other = admit("203.0.113.5");
    expect(clients.some((s) => s.destroyed)).toBe(false);
    expect(refused.destroyed).toBe(true);
    expect(other.destroyed).toBe(false);
  });

  it("over the total cap, the oldest unproven socket of any address makes room", () => {
    limiter = new SocketLimiter(limits);
    const first = admit("10.0.0.1");
    const rest = [admit("10.0.0.2", true), admit("10.0.0.3", true), admit("10.0.0.4"), admit("10.0.0.5")];
    const newcomer = admit("10.0.0.6");
    expect(first.destroyed).toBe(true);
    expect([...rest, newcomer].some((s) => s.destroyed)).toBe(false);
  });

  it("a closed socket frees its slot", async () => {
    limiter = new SocketLimiter(limits);
    const sockets = [admit("10.0.0.1", true), admit("10.0.0.1", true), admit("10.0.0.1", true)];
    sockets[0]!.destroy();
    await new Promise((resolve) => sockets[0]!.once("close", resolve));
    expect(admit("10.0.0.1").destroyed).toBe(false);
  });

  it("destroys sockets that sent no request head within the deadline, and only those", () => {
    vi.useFakeTimers();
    limiter = new SocketLimiter(limits);
    const silent = admit("10.0.0.1");
    const client = admit("10.0.0.1", true);
    vi.advanceTimersByTime(5_000);
    const late = admit("10.0.0.2");
    vi.advanceTimersByTime(6_000);
    expect([silent.destroyed, client.destroyed, late.destroyed]).toEqual([true, false, false]);
    vi.advanceTimersByTime(5_000);
    expect(late.destroyed).toBe(true);
  });
});
