/**
 * The browser side of the gateway's WebSocket protocol: wait for `connect.challenge`,
 * send `connect` with the shared secret, then `req`/`res` by id and pushed `event`s.
 * The secret travels only inside the connect frame: never in the URL, never logged.
 */

export interface Credentials {
  kind: "token" | "password";
  secret: string;
}

export interface ErrorShape {
  code: string;
  message: string;
  details?: { code?: string; problems?: string[]; hash?: string; [key: string]: unknown };
  retryable?: boolean;
  retryAfterMs?: number;
}

/** The gateway answered `ok: false` (or the socket went away before an answer). */
export class GatewayError extends Error {
  readonly code: string;
  readonly details: ErrorShape["details"];
  readonly retryAfterMs: number | undefined;
  constructor(shape: ErrorShape) {
    super(shape.message);
    this.name = "GatewayError";
    this.code = shape.code;
    this.details = shape.details;
    this.retryAfterMs = shape.retryAfterMs;
  }
}

export interface HelloOk {
  protocol: number;
  server: { version: string; connId: string; host?: string };
  features: { methods: string[]; events: string[] };
  snapshot: { sessionDefaults?: { defaultAgentId: string; mainSessionKey: string }; authMode?: string };
}

export interface GatewayEvent {
  event: string;
  payload: unknown;
}

const SCOPES = [
  "operator.admin",
  "operator.read",
  "operator.write",
  "operator.approvals",
  "operator.pairing",
];
const CONNECT_TIMEOUT_MS = 10_000;

/** `ws(s)://<host><dir of this page>`: wss behind an HTTPS proxy (Fly), same base path as the UI. */
export function gatewayUrl(location: Location = window.location): string {
  const url = new URL(".", location.href);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  url.hash = "";
  url.search = "";
  return url.toString();
}

/** Random ids without crypto.randomUUID, which plain-HTTP LAN pages (no secure context) lack. */
export function randomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

interface Pending {
  resolve(payload: unknown): void;
  reject(error: Error): void;
}

export class GatewayConnection {
  private readonly pending = new Map<string, Pending>();
  private readonly listeners = new Set<(e: GatewayEvent) => void>();
  private readonly closeListeners = new Set<(reason: string) => void>();
  private closedByUs = false;

  private constructor(
    private readonly socket: WebSocket,
    readonly hello: HelloOk,
  ) {
    socket.addEventListener("message", (e) => this.onFrame(e.data));
    socket.addEventListener("close", (e) => this.onClose(e.reason || `code ${e.code}`));
  }

  /** Opens a socket and completes the handshake; rejects with GatewayError on refusal. */
  static open(
    url: string,
    credentials: Credentials | undefined,
    version: string,
  ): Promise<GatewayConnection> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url);
      const id = randomId();
      let settled = false;
      const fail = (error: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        socket.close();
        reject(error);
      };
      const timer = setTimeout(
        () => fail(new GatewayError({ code: "UNREACHABLE", message: "handshake timed out" })),
        CONNECT_TIMEOUT_MS,
      );
      socket.addEventListener("message", function handshake(e) {
        let frame: {
          type?: string;
          event?: string;
          id?: string;
          ok?: boolean;
          payload?: unknown;
          error?: ErrorShape;
        };
        try {
          frame = JSON.parse(String(e.data));
        } catch {
          return;
        }
        if (frame.type === "event" && frame.event === "connect.challenge") {
          socket.send(
            JSON.stringify({
              type: "req",
              id,
              method: "connect",
              params: connectParams(credentials, version),
            }),
          );
          return;
        }
        if (frame.type !== "res" || frame.id !== id) return;
        socket.removeEventListener("message", handshake);
        if (!frame.ok) {
          fail(new GatewayError(frame.error ?? { code: "UNAVAILABLE", message: "connect refused" }));
          return;
        }
        settled = true;
        clearTimeout(timer);
        resolve(new GatewayConnection(socket, frame.payload as HelloOk));
      });
      socket.addEventListener("close", (e) =>
        fail(
          new GatewayError({
            code: "UNREACHABLE",
            message: e.reason || `connection closed (code ${e.code})`,
          }),
        ),
      );
    });
  }

  request<T = unknown>(method: string, params?: unknown): Promise<T> {
    if (this.socket.readyState !== WebSocket.OPEN) {
      return Promise.reject(new GatewayError({ code: "UNREACHABLE", message: "not connected" }));
    }
    const id = randomId();
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (p: unknown) => void, reject });
      this.socket.send(JSON.stringify({ type: "req", id, method, params }));
    });
  }

  /** Subscribes to pushed events; returns the unsubscribe function. */
  on(listener: (e: GatewayEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onClosed(listener: (reason: string) => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  close(): void {
    this.closedByUs = true;
    this.socket.close(1000, "bye");
  }

  private onFrame(data: unknown): void {
    let frame: {
      type?: string;
      id?: string;
      ok?: boolean;
      payload?: unknown;
      error?: ErrorShape;
      event?: string;
    };
    try {
      frame = JSON.parse(String(data));
    } catch {
      return;
    }
    if (frame.type === "event" && frame.event) {
      for (const listener of this.listeners) listener({ event: frame.event, payload: frame.payload });
      return;
    }
    if (frame.type !== "res" || !frame.id) return;
    const waiter = this.pending.get(frame.id);
    if (!waiter) return; // a two-stage method's second answer, or one we gave up on
    this.pending.delete(frame.id);
    if (frame.ok) waiter.resolve(frame.payload);
    else waiter.reject(new GatewayError(frame.error ?? { code: "UNAVAILABLE", message: "request failed" }));
  }

  private onClose(reason: string): void {
    for (const waiter of this.pending.values()) {
      waiter.reject(new GatewayError({ code: "UNREACHABLE", message: reason }));
    }
    this.pending.clear();
    if (this.closedByUs) return;
    for (const listener of this.closeListeners) listener(reason);
  }
}

function connectParams(credentials: Credentials | undefined, version: string) {
  return {
    minProtocol: 3,
    maxProtocol: 4,
    client: { id: "openclaw-control-ui", version, platform: navigator.platform || "web", mode: "ui" },
    role: "operator",
    scopes: SCOPES,
    auth: credentials ? { [credentials.kind]: credentials.secret } : {},
    locale: navigator.language,
    userAgent: navigator.userAgent.slice(0, 500),
  };
}
