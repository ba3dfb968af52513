/**
 * What @slack/socket-mode 3.x takes from the npm `undici`, built on `ws` instead. The npm
 * undici is a second copy of the HTTP stack Node already ships (+11 MB of RSS just to
 * import it); `ws` is loaded by the gateway anyway. Builds and tests resolve `undici` to
 * this file for socket-mode only (scripts/slack-undici-shim.mjs).
 *
 * Why not Node's global WebSocket (undici inside Node): socket-mode sends its own ping
 * frames (`ping()`), hears pings and pongs on undici's diagnostics channels and captures
 * the TCP socket through a dispatcher's `connect` hook to destroy a stalled peer; Node
 * exposes none of that for its built-in copy. `ws` has each of them.
 *
 * The surface mirrors socket-mode's use of undici and no more: `WebSocket` (constructor
 * with `{ dispatcher }`, EventTarget events, readyState, send, close), the `ErrorEvent`,
 * `MessageEvent` and `CloseEvent` classes it checks with instanceof, `ping`,
 * `buildConnector` + `Agent` (its default dispatcher) and `fetch`.
 */
import { channel } from "node:diagnostics_channel";
import net from "node:net";
import tls from "node:tls";
import WsSocket from "ws";

type Callback = (err: Error | null, socket: net.Socket | null) => void;

/** undici's connector options, the part this module reads. */
interface ConnectOptions {
  hostname: string;
  protocol: string;
  port: string;
  servername?: string;
}
type Connector = (options: ConnectOptions, callback: Callback) => void;

/** undici's `buildConnector`: opens the TCP (or TLS) socket a WebSocket upgrade runs on. */
export function buildConnector(_options?: { allowH2?: boolean }): Connector {
  // HTTP/1.1 only (what socket-mode asks with allowH2: false): a WebSocket upgrade needs it.
  return ({ hostname, protocol, port, servername }, callback) => {
    const secure = protocol === "https:" || protocol === "wss:";
    const portNumber = Number(port) || (secure ? 443 : 80);
    try {
      const socket = secure
        ? tls.connect({
            host: hostname,
            port: portNumber,
            servername: servername ?? (net.isIP(hostname) ? undefined : hostname),
            ALPNProtocols: ["http/1.1"],
          })
        : net.connect({ host: hostname, port: portNumber });
      callback(null, socket);
    } catch (err) {
      callback(err as Error, null);
    }
  };
}

/** undici's `Agent`, reduced to the `connect` hook socket-mode's default dispatcher sets. */
export class Agent {
  readonly connect: Connector;
  constructor(options: { connect?: Connector } = {}) {
    this.connect = options.connect ?? buildConnector();
  }
}

export class ErrorEvent extends Event {
  readonly message: string;
  readonly error: unknown;
  constructor(type: string, init: { message: string; error: unknown }) {
    super(type);
    this.message = init.message;
    this.error = init.error;
  }
}

export class MessageEvent extends Event {
  readonly data: string | Blob;
  constructor(type: string, init: { data: string | Blob }) {
    super(type);
    this.data = init.data;
  }
}

export class CloseEvent extends Event {
  readonly code: number;
  readonly reason: string;
  readonly wasClean: boolean;
  constructor(type: string, init: { code: number; reason: string }) {
    super(type);
    this.code = init.code;
    this.reason = init.reason;
    // 1006 is never sent on the wire: it means the socket ended without a close frame.
    this.wasClean = init.code !== 1006;
  }
}

/** undici publishes every ping and pong a WebSocket receives here; socket-mode listens. */
const pingChannel = channel("undici:websocket:ping");
const pongChannel = channel("undici:websocket:pong");

/** The `ws` socket behind each WebSocket, for `ping()` (undici's is internal too). */
const inner = new WeakMap<WebSocket, WsSocket>();

/** undici's WebSocket as socket-mode uses it: the WHATWG interface over a `ws` client. */
export class WebSocket extends EventTarget {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;

  constructor(url: string | URL, init: { dispatcher?: unknown } = {}) {
    super();
    const socket = new WsSocket(url, connectVia(init.dispatcher, new URL(url)));
    inner.set(this, socket);
    socket.on("open", () => this.dispatchEvent(new Event("open")));
    socket.on("message", (data: Buffer, isBinary: boolean) => {
      // undici's default binaryType is "blob"; text frames arrive as strings.
      const payload = isBinary ? new Blob([data]) : data.toString("utf8");
      this.dispatchEvent(new MessageEvent("message", { data: payload }));
    });
    socket.on("error", (error: Error) => {
      this.dispatchEvent(new ErrorEvent("error", { message: error.message, error }));
    });
    socket.on("close", (code: number, reason: Buffer) => {
      this.dispatchEvent(new CloseEvent("close", { code, reason: reason.toString("utf8") }));
    });
    socket.on("ping", (payload: Buffer) => {
      if (pingChannel.hasSubscribers) pingChannel.publish({ websocket: this, payload });
    });
    socket.on("pong", (payload: Buffer) => {
      if (pongChannel.hasSubscribers) pongChannel.publish({ websocket: this, payload });
    });
  }

  get readyState(): number {
    return inner.get(this)!.readyState;
  }

  send(data: string | Buffer): void {
    const socket = inner.get(this)!;
    // As the WHATWG WebSocket: sending before open is an error, after close a no-op.
    if (socket.readyState === WebSocket.CONNECTING) throw new Error("WebSocket is not open yet");
    if (socket.readyState === WebSocket.OPEN) socket.send(data);
  }

  close(code?: number, reason?: string): void {
    inner.get(this)!.close(code, reason);
  }
}

/** undici's `ping()`: sends a ping frame on an open WebSocket, does nothing otherwise. */
export function ping(websocket: WebSocket, payload?: Buffer): void {
  const socket = inner.get(websocket);
  if (!socket) throw new TypeError("ping() needs a WebSocket from this module");
  if (socket.readyState === WebSocket.OPEN) socket.ping(payload);
}

/**
 * undici's `fetch`, which socket-mode calls only to route Web API calls through a
 * dispatcher given to SocketModeClient. We never give one; refuse rather than ignore it.
 */
export function fetch(
  input: string | URL | Request,
  init: Omit<RequestInit, "dispatcher"> & { dispatcher?: unknown } = {},
): Promise<Response> {
  const { dispatcher, ...rest } = init;
  if (dispatcher !== undefined) {
    return Promise.reject(new Error("SocketModeClient's dispatcher option is not supported; remove it."));
  }
  return globalThis.fetch(input, rest);
}

/** `ws` options that open the connection through `dispatcher`'s connect hook, if any. */
function connectVia(dispatcher: unknown, url: URL): WsSocket.ClientOptions {
  if (dispatcher === undefined) return {};
  if (!(dispatcher instanceof Agent)) {
    throw new Error("SocketModeClient's dispatcher option is not supported; remove it.");
  }
  const target: ConnectOptions = {
    hostname: url.hostname.replace(/^\[|\]$/g, ""),
    protocol: url.protocol,
    port: url.port,
  };
  return {
    // Node's http client waits for the callback when createConnection returns nothing.
    createConnection: ((_options: unknown, oncreate: Callback) => {
      dispatcher.connect(target, oncreate);
    }) as unknown as WsSocket.ClientOptions["createConnection"],
  };
}
