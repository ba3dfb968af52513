import { createServer, type IncomingMessage, type Server } from "node:http";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import { WebSocketServer } from "ws";
import { type HttpRoute, sendJson } from "../infra/http.js";
import type { Logger } from "../infra/logger.js";
import { addressKey, stampClientAddress } from "../infra/net-address.js";
import type { AuthRateLimiter } from "../infra/rate-limit.js";
import type { ResolvedAuth } from "../infra/shared-secret.js";
import type { Connection, ConnectionHost } from "./connection.js";
import type { GatewayContext } from "./context.js";
import type { EventOptions } from "./events.js";
import { createHttpHandler } from "./http.js";
import type { GatewayMethod } from "./methods/types.js";
import { checkBrowserOrigin } from "./origin.js";
import {
  CloseCodes,
  MAX_PAYLOAD,
  type OperatorScope,
  PRECONNECT_MAX_BYTES,
  TICK_INTERVAL_MS,
} from "./protocol.js";
import { MAX_OPEN_SOCKETS, REQUEST_HEAD_TIMEOUT_MS, SocketLimiter } from "./socket-limits.js";

/** WebSockets that have not finished `connect` yet, per address (`addressKey`): caps handshake floods. */
const MAX_PENDING_SOCKETS_PER_ADDRESS = 32;
const SHUTDOWN_SOCKET_GRACE_MS = 1500;
/**
 * Node's own per-listener cap, a backstop behind SocketLimiter's MAX_OPEN_SOCKETS: it
 * sits above it because Node forgets a destroyed socket only at its `close` event.
 */
const HARD_MAX_CONNECTIONS = MAX_OPEN_SOCKETS + 256;
/** A whole request (head and body) must arrive within this. */
const REQUEST_TIMEOUT_MS = 30_000;
/** How often Node checks those two deadlines (its default, 30 s, let a slowloris keep a socket 45 s). */
const TIMEOUT_CHECK_INTERVAL_MS = 1_000;

type ConnectionClass = typeof import("./connection.js").Connection;
let connectionLoad: Promise<typeof import("./connection.js")> | undefined;
/** ./connection.ts, imported once, on the first WebSocket upgrade. */
const connectionModule = () => {
  connectionLoad ??= import("./connection.js");
  return connectionLoad;
};

export interface GatewayServerOptions {
  hosts: string[];
  port: number;
  /** The concrete bind mode (after resolving `auto`); loopback relaxes the browser origin rule. */
  effectiveBind: "loopback" | "lan" | "tailnet" | "custom";
  gateway: GatewayContext;
  /** Filled by the time `accepting` resolves (the gateway builds it after listening). */
  methods: ReadonlyMap<string, GatewayMethod>;
  /**
   * WebSockets are taken over once this resolves: the gateway listens (and answers its
   * health routes) while its parts are still being built, and a client that connects
   * meanwhile simply waits for its `101 Switching Protocols`, nothing is dropped.
   */
  accepting?: Promise<void>;
  routes: () => readonly HttpRoute[];
  auth: () => ResolvedAuth;
  allowedOrigins: () => readonly string[];
  /** `gateway.trustedProxies`: peers whose X-Forwarded-For names the client (default: none). */
  trustedProxies?: () => readonly string[];
  rateLimiter: AuthRateLimiter;
  log: Logger;
  /** A client finished `connect` or a connected one left (OpenClaw's `presence` event follows). */
  onClientsChanged?: () => void;
  /** A connection closed (before or after `connect`): what it held is let go. */
  onClientClosed?: (connId: string) => void;
}

export interface GatewayServer {
  readonly port: number;
  readonly hosts: readonly string[];
  clientCount(): number;
  /** Sends an event to every connected client (only those holding `scope`, and in `opts.audience`, when given). */
  broadcast(event: string, payload?: unknown, scope?: OperatorScope, opts?: EventOptions): void;
  /** The connected client with this id (connect done), if still open. */
  connection(connId: string): Connection | undefined;
  /** Every connected client. */
  connections(): Connection[];
  /** Closes (1008, `reason`) every connection that authenticated with another credential. */
  closeStaleCredentials(current: string, reason: string): number;
  /** Stops accepting, tells clients why (`shutdown` event, close 1012) and waits for sockets. */
  close(reason: string): Promise<void>;
}

/**
 * Listens on every host and serves both protocols. One closure on purpose (longer than
 * our ~80-line habit): the upgrade path, the HTTP path and `close()` share the client
 * set, the handshake slots and the socket limiter, and each security step reads top to
 * bottom in the order a socket meets it.
 */
export async function startGatewayServer(opts: GatewayServerOptions): Promise<GatewayServer> {
  const { log } = opts;
  const clients = new Set<Connection>();
  const pendingByAddress = new Map<string, number>();
  /** Stops counting a socket's pre-connect bytes once it is authenticated. */
  const preconnectMeters = new WeakMap<Connection, () => void>();
  /** Releases the handshake slot of a WebSocket still in `connect`; idempotent. */
  const handshaking = new Map<Connection, () => void>();
  const limiter = new SocketLimiter();
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_PAYLOAD, perMessageDeflate: false });

  const host: ConnectionHost = {
    methods: opts.methods,
    gateway: opts.gateway,
    rateLimiter: opts.rateLimiter,
    log,
    auth: opts.auth,
    onReady: (conn) => {
      preconnectMeters.get(conn)?.();
      handshaking.get(conn)?.();
      handshaking.delete(conn);
      clients.add(conn);
      opts.onClientsChanged?.();
    },
    onClose: (conn) => {
      handshaking.delete(conn);
      opts.onClientClosed?.(conn.id);
      if (clients.delete(conn)) opts.onClientsChanged?.();
    },
  };
  /** Takes a handshake slot for `key`, given back once: at `connect`, or when the socket closes, whichever is first. */
  const holdPending = (key: string, socket: Duplex): (() => void) => {
    pendingByAddress.set(key, (pendingByAddress.get(key) ?? 0) + 1);
    let held = true;
    const release = () => {
      if (!held) return;
      held = false;
      const n = (pendingByAddress.get(key) ?? 1) - 1;
      if (n <= 0) pendingByAddress.delete(key);
      else pendingByAddress.set(key, n);
    };
    // Every path ends here: a handshake ws rejects (bad Sec-WebSocket-Version), a socket
    // that errors or closes before the upgrade completes, a handshake timeout.
    socket.once("close", release);
    return release;
  };
  const browserRefusal = (req: IncomingMessage) => {
    const authMode = opts.auth().mode;
    // Most requests (clients with the token, webhook senders, same-origin GETs) carry no
    // Origin: nothing to check, nothing allocated.
    if (authMode !== "none" && req.headers.origin === undefined) return undefined;
    return checkBrowserOrigin(req, {
      allowedOrigins: opts.allowedOrigins(),
      loopbackBind: opts.effectiveBind === "loopback",
      authMode,
    });
  };

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    limiter.proven(req.socket);
    const address = stampClientAddress(req, opts.trustedProxies?.() ?? []);
    const refusal = browserRefusal(req);
    if (refusal) {
      log.warn(`refused WebSocket from ${address}: ${refusal}`);
      rejectUpgrade(socket, 403, refusal);
      return;
    }
    const key = addressKey(address);
    if ((pendingByAddress.get(key) ?? 0) >= MAX_PENDING_SOCKETS_PER_ADDRESS) {
      rejectUpgrade(socket, 503, "Too many unauthenticated sockets");
      return;
    }
    const release = holdPending(key, socket);
    if (opts.accepting) {
      // Waiting holds the handshake slot and the socket limiter's place, like a slow handshake.
      log.debug(`WebSocket from ${address} waits for the gateway to finish starting`);
    }
    // The connection code (and the frames' zod schemas) loads with the first WebSocket, not
    // before listening (#23); later upgrades find it loaded.
    Promise.all([opts.accepting, connectionModule()]).then(
      ([, { Connection }]) => {
        if (!socket.destroyed) upgrade(Connection, req, socket, head, address, release);
      },
      (err: unknown) => {
        log.error(`WebSocket from ${address} dropped: ${(err as Error).stack}`);
        socket.destroy();
      },
    );
  };

  const upgrade = (
    Connection: ConnectionClass,
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    address: string,
    release: () => void,
  ) => {
    wss.handleUpgrade(req, socket, head, (ws) => {
      const conn = new Connection(ws, address, host, req.headers.origin);
      handshaking.set(conn, release);
      preconnectMeters.set(
        conn,
        meterPreconnectBytes(socket, head.length, () => {
          log.warn(`closing socket from ${address}: over ${PRECONNECT_MAX_BYTES} bytes before connect`);
          socket.destroy();
        }),
      );
    });
  };

  const handler = createHttpHandler(opts.routes, (err) =>
    log.error(`http handler failed: ${(err as Error).stack}`),
  );
  const servers: Server[] = [];
  let port = opts.port;
  for (const listenHost of opts.hosts) {
    const server = createServer(
      {
        // The first head on a socket is SocketLimiter's to time; Node's covers later ones on keep-alive.
        headersTimeout: REQUEST_HEAD_TIMEOUT_MS,
        requestTimeout: REQUEST_TIMEOUT_MS,
        connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS,
      },
      (req, res) => {
        limiter.proven(req.socket);
        const address = stampClientAddress(req, opts.trustedProxies?.() ?? []);
        // The WebSocket's Host/Origin rule for every route: no page from another site
        // (or a DNS-rebound name) may drive the OpenAI endpoint, a plugin route or a webhook.
        const refusal = browserRefusal(req);
        if (refusal) {
          // The path only: a query can hold a capability (a signed avatar URL's `sig`).
          log.warn(`refused HTTP ${req.method} ${req.url?.split("?")[0]} from ${address}: ${refusal}`);
          sendJson(res, 403, { error: { type: "forbidden", message: refusal } }, { connection: "close" });
          return;
        }
        void handler(req, res);
      },
    );
    server.maxConnections = HARD_MAX_CONNECTIONS;
    server.on("connection", (socket: Socket) => limiter.admit(socket));
    server.on("upgrade", onUpgrade);
    server.on("clientError", onClientError);
    try {
      await listen(server, listenHost, port);
    } catch (err) {
      // The IPv6 twin of the primary host (::1, ::) is a nicety; only the primary is essential.
      if (servers.length > 0 && listenHost.includes(":")) {
        log.debug(`not listening on [${listenHost}]: ${(err as Error).message}`);
        continue;
      }
      await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
      throw err;
    }
    const address = server.address();
    if (address && typeof address === "object") port = address.port;
    servers.push(server);
  }

  const tick = setInterval(() => broadcast("tick", { ts: Date.now() }), TICK_INTERVAL_MS);
  tick.unref();

  function broadcast(
    event: string,
    payload?: unknown,
    scope?: OperatorScope,
    eventOpts?: EventOptions,
  ): void {
    for (const conn of clients) conn.sendEvent(event, payload, scope, eventOpts);
  }

  let closing: Promise<void> | undefined;
  return {
    port,
    hosts: servers.map((s) => {
      const a = s.address();
      return a && typeof a === "object" ? a.address : "";
    }),
    clientCount: () => clients.size,
    broadcast,
    connection: (connId) => [...clients].find((c) => c.id === connId),
    connections: () => [...clients],
    closeStaleCredentials(current, reason) {
      const stale = [...clients].filter((conn) => conn.credential !== current);
      for (const conn of stale) conn.close(CloseCodes.POLICY, reason);
      if (stale.length > 0) log.warn(`closed ${stale.length} connection(s): ${reason}`);
      return stale.length;
    },
    close(reason) {
      closing ??= (async () => {
        clearInterval(tick);
        limiter.stop();
        for (const server of servers) server.close();
        broadcast("shutdown", { reason });
        for (const ws of wss.clients) {
          ws.close(CloseCodes.RESTART, reason === "restart" ? "gateway restarting" : "gateway shutting down");
        }
        await waitForSockets(wss, SHUTDOWN_SOCKET_GRACE_MS);
        for (const ws of wss.clients) ws.terminate();
        for (const server of servers) server.closeAllConnections();
        wss.close();
      })();
      return closing;
    },
  };
}

/**
 * Counts what an unauthenticated socket sends (beside the WebSocket parser, which
 * buffers up to a whole frame) and calls `over` past PRECONNECT_MAX_BYTES; returns
 * the function that stops counting.
 */
function meterPreconnectBytes(socket: Duplex, already: number, over: () => void): () => void {
  let received = already;
  let counting = true;
  const count = (chunk: Buffer) => {
    // The chunk that completed `connect` still reaches this listener after it is removed.
    if (!counting) return;
    received += chunk.length;
    if (received > PRECONNECT_MAX_BYTES) {
      socket.off("data", count);
      over();
    }
  };
  socket.on("data", count);
  return () => {
    counting = false;
    socket.off("data", count);
  };
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once("error", onError);
    // ipv6Only: an IPv6 host listens beside its IPv4 twin on the same port instead of clashing with it.
    server.listen({ host, port, exclusive: true, ipv6Only: host.includes(":") }, () => {
      server.off("error", onError);
      resolve();
    });
  });
}

function waitForSockets(wss: WebSocketServer, ms: number): Promise<void> {
  if (wss.clients.size === 0) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    let open = wss.clients.size;
    for (const ws of wss.clients) {
      ws.once("close", () => {
        if (--open === 0) {
          clearTimeout(timer);
          resolve();
        }
      });
    }
  });
}

function rejectUpgrade(socket: Duplex, status: number, message: string): void {
  const reason = status === 403 ? "Forbidden" : "Service Unavailable";
  const body = JSON.stringify({ error: { message } });
  // Destroyed once written: `end` alone leaves the socket half-open until the peer closes it.
  socket.once("finish", () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}

const CLIENT_ERROR_STATUS: Record<string, string> = {
  ERR_HTTP_REQUEST_TIMEOUT: "408 Request Timeout",
  HPE_HEADER_OVERFLOW: "431 Request Header Fields Too Large",
};

/**
 * Malformed requests and Node's header/request timeouts land here. Like Node's default
 * handler: answer if nothing was sent yet, then destroy. Ending without destroying left
 * the socket half-open for as long as the peer liked (a slowloris never closes).
 */
function onClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (socket.writable && (socket as Socket).bytesWritten === 0) {
    const status = CLIENT_ERROR_STATUS[err.code ?? ""] ?? "400 Bad Request";
    socket.write(`HTTP/1.1 ${status}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n`);
  }
  socket.destroy();
}
