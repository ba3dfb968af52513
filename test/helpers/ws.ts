import WebSocket from "ws";

/** A raw WebSocket that queues what it receives, for protocol-level tests. */
export class RawSocket {
  private readonly queue: unknown[] = [];
  private readonly waiting: ((frame: unknown) => void)[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly ws: WebSocket) {
    ws.on("message", (data) => {
      const frame = JSON.parse(data.toString());
      const waiter = this.waiting.shift();
      if (waiter) waiter(frame);
      else this.queue.push(frame);
    });
    this.closed = new Promise((resolve) =>
      ws.on("close", (code, reason) => resolve({ code, reason: reason.toString() })),
    );
  }

  /** `localAddress` (e.g. 127.0.0.7) makes the socket a distinct client address for the rate limiter. */
  static open(url: string, headers?: Record<string, string>, localAddress?: string): Promise<RawSocket> {
    const ws = new WebSocket(url, { headers, localAddress });
    const socket = new RawSocket(ws);
    return new Promise((resolve, reject) => {
      ws.once("open", () => resolve(socket));
      ws.once("error", reject);
      ws.once("unexpected-response", (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
  }

  /** The next frame received (in order). */
  next<T = Record<string, unknown>>(): Promise<T> {
    const queued = this.queue.shift();
    if (queued !== undefined) return Promise.resolve(queued as T);
    return new Promise((resolve) => this.waiting.push(resolve as (f: unknown) => void));
  }

  /** Skips events (presence, health, ticks) until the next `res`, whatever its id. */
  async nextResponse<T = Record<string, unknown>>(): Promise<T> {
    for (;;) {
      const frame = await this.next<{ type: string }>();
      if (frame.type === "res") return frame as T;
    }
  }

  /** Skips events until a `res` with this id arrives. */
  async response(
    id: string,
  ): Promise<Record<string, unknown> & { ok: boolean; error?: { code: string; message: string } }> {
    for (;;) {
      const frame = await this.next<{ type: string; id?: string }>();
      if (frame.type === "res" && frame.id === id) return frame as never;
    }
  }

  send(data: string | Buffer, binary = false): void {
    this.ws.send(data, { binary });
  }

  request(id: string, method: string, params?: unknown): void {
    this.send(JSON.stringify({ type: "req", id, method, params }));
  }

  /** Waits for the challenge, then sends a connect request with `auth`. */
  async connect(auth: { token?: string; password?: string }, extra: Record<string, unknown> = {}) {
    const challenge = await this.next<{ event: string }>();
    if (challenge.event !== "connect.challenge")
      throw new Error(`expected challenge, got ${JSON.stringify(challenge)}`);
    this.request("c1", "connect", connectParams(auth, extra));
    return this.response("c1");
  }
}

export function connectParams(
  auth: { token?: string; password?: string },
  extra: Record<string, unknown> = {},
) {
  return {
    minProtocol: 3,
    maxProtocol: 4,
    client: { id: "test", version: "1.0.0", platform: "linux", mode: "test" },
    role: "operator",
    scopes: ["operator.read", "operator.write", "operator.admin"],
    auth,
    ...extra,
  };
}
