import { createServer, type IncomingMessage, type Server } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer } from "ws";
import type { Logger } from "../infra/logger.js";
import { type AuthMode, type AuthRateLimiter, isLoopbackAddress, type ResolvedAuth } from "./auth.js";
import { CloseCodes, Connection, type ConnectionHost } from "./connection.js";
import type { GatewayContext } from "./context.js";
import { createHttpHandler, type HttpRoute } from "./http.js";
import type { MethodDefinition } from "./methods/index.js";
import { stampClientAddress } from "./net.js";
import { MAX_PAYLOAD, type OperatorScope, TICK_INTERVAL_MS } from "./protocol.js";

/** Sockets that have not finished `connect` yet, per remote address: caps handshake floods. */
const MAX_PENDING_SOCKETS_PER_ADDRESS = 32;
const SHUTDOWN_SOCKET_GRACE_MS = 1500;

export interface GatewayServerOptions {
  hosts: string[];
  port: number;
  /** The concrete bind mode (after resolving `auto`); loopback relaxes the browser origin rule. */
  effectiveBind: "loopback" | "lan" | "tailnet" | "custom";
  gateway: GatewayContext;
  methods: ReadonlyMap<string, MethodDefinition>;
  routes: () => readonly HttpRoute[];
  auth: () => ResolvedAuth;
  allowedOrigins: () => readonly string[];
  /** `gateway.trustedProxies`: peers whose X-Forwarded-For names the client (default: none). */
  trustedProxies?: () => readonly string[];
  rateLimiter: AuthRateLimiter;
  log: Logger;
}

export interface GatewayServer {
  readonly port: number;
  readonly hosts: readonly string[];
  clientCount(): number;
  /** Sends an event to every connected client (only those holding `scope`, when given). */
  broadcast(event: string, payload?: unknown, scope?: OperatorScope): void;
  /** Closes (1008, `reason`) every connection that authenticated with another credential. */
  closeStaleCredentials(current: string, reason: string): number;
  /** Stops accepting, tells clients why (`shutdown` event, close 1012) and waits for sockets. */
  close(reason: string): Promise<void>;
}

export async function startGatewayServer(opts: GatewayServerOptions): Promise<GatewayServer> {
  const { log } = opts;
  const clients = new Set<Connection>();
  const pendingByAddress = new Map<string, number>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_PAYLOAD, perMessageDeflate: false });

  const host: ConnectionHost = {
    methods: opts.methods,
    gateway: opts.gateway,
    rateLimiter: opts.rateLimiter,
    log,
    auth: opts.auth,
    onReady: (conn) => {
      releasePending(conn.remoteAddress);
      clients.add(conn);
    },
    onClose: (conn) => {
      if (!clients.delete(conn)) releasePending(conn.remoteAddress);
    },
  };
  const releasePending = (address: string) => {
    const n = (pendingByAddress.get(address) ?? 1) - 1;
    if (n <= 0) pendingByAddress.delete(address);
    else pendingByAddress.set(address, n);
  };

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const address = stampClientAddress(req, opts.trustedProxies?.() ?? []);
    const refusal = checkBrowserOrigin(req, {
      allowedOrigins: opts.allowedOrigins(),
      loopbackBind: opts.effectiveBind === "loopback",
      authMode: opts.auth().mode,
    });
    if (refusal) {
      log.warn(`refused WebSocket from ${address}: ${refusal}`);
      rejectUpgrade(socket, 403, refusal);
      return;
    }
    const pending = pendingByAddress.get(address) ?? 0;
    if (pending >= MAX_PENDING_SOCKETS_PER_ADDRESS) {
      rejectUpgrade(socket, 503, "Too many unauthenticated sockets");
      return;
    }
    pendingByAddress.set(address, pending + 1);
    wss.handleUpgrade(req, socket, head, (ws) => {
      new Connection(ws, address, host);
    });
  };

  const handler = createHttpHandler(opts.routes, (err) =>
    log.error(`http handler failed: ${(err as Error).stack}`),
  );
  const servers: Server[] = [];
  let port = opts.port;
  for (const listenHost of opts.hosts) {
    const server = createServer({ requestTimeout: 30_000, headersTimeout: 15_000 }, (req, res) => {
      stampClientAddress(req, opts.trustedProxies?.() ?? []);
      void handler(req, res);
    });
    server.on("upgrade", onUpgrade);
    server.on("clientError", (_err, socket) => {
      if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n");
      else socket.destroy();
    });
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

  function broadcast(event: string, payload?: unknown, scope?: OperatorScope): void {
    for (const conn of clients) conn.sendEvent(event, payload, scope);
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
    closeStaleCredentials(current, reason) {
      const stale = [...clients].filter((conn) => conn.credential !== current);
      for (const conn of stale) conn.close(CloseCodes.POLICY, reason);
      if (stale.length > 0) log.warn(`closed ${stale.length} connection(s): ${reason}`);
      return stale.length;
    },
    close(reason) {
      closing ??= (async () => {
        clearInterval(tick);
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
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}

const LOOPBACK_HOSTNAMES = new Set(["localhost", "127.0.0.1", "[::1]", "::1"]);

function hostnameOf(hostHeader: string | undefined): string | undefined {
  if (!hostHeader) return undefined;
  try {
    return new URL(`http://${hostHeader}`).hostname;
  } catch {
    return undefined;
  }
}

/**
 * Browsers send `Origin`; other clients (CLI, bots) do not. A browser may connect when
 * its page came from this gateway (same host), from an origin listed in
 * `gateway.controlUi.allowedOrigins`, or, on a loopback bind, from a loopback page.
 * Without auth, the Host header must be a loopback name too: that defeats DNS
 * rebinding, where a hostile site's name resolves to 127.0.0.1.
 */
export function checkBrowserOrigin(
  req: IncomingMessage,
  opts: { allowedOrigins: readonly string[]; loopbackBind: boolean; authMode: AuthMode },
): string | undefined {
  const hostHeader = req.headers.host;
  if (opts.authMode === "none" && !LOOPBACK_HOSTNAMES.has(hostnameOf(hostHeader) ?? "")) {
    if (!isLoopbackAddress(req.socket.remoteAddress) || req.headers.origin) {
      return "this gateway has no auth configured and only accepts clients addressing it as localhost";
    }
  }
  const origin = req.headers.origin;
  if (!origin) return undefined;
  if (opts.allowedOrigins.includes(origin) || opts.allowedOrigins.includes("*")) return undefined;
  let originUrl: URL;
  try {
    originUrl = new URL(origin);
  } catch {
    return `origin not allowed: ${origin}`;
  }
  if (hostHeader && originUrl.host === hostHeader) return undefined;
  if (opts.loopbackBind && LOOPBACK_HOSTNAMES.has(originUrl.hostname)) return undefined;
  return `origin not allowed: ${origin} (open the Control UI from the gateway's own address or add it to gateway.controlUi.allowedOrigins)`;
}
