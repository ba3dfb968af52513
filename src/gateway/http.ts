import type { IncomingMessage, ServerResponse } from "node:http";
import type { GatewayContext } from "./context.js";

/** An HTTP route on the gateway port; later modules (UI, webhooks, OpenAI API) add theirs. */
export interface HttpRoute {
  /** Exact path, or a prefix when it ends with `/*`. */
  path: string;
  methods: readonly string[];
  /** Returning `false` passes the request on (to later routes, then the JSON 404). */
  handle(req: IncomingMessage, res: ServerResponse, url: URL): unknown;
}

/** Thrown by a route to answer with a 4xx and a message the client may see. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "HttpError";
  }
}

/** The whole request body; a body over `maxBytes` is refused with 413 before more is read. */
export async function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new HttpError(413, `the body is over ${maxBytes} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

const JSON_CONTENT_TYPE = /^application\/json\s*(?:;|$)/i;

/**
 * Whether the request says its body is JSON. Routes that act on a JSON body require it:
 * a page on another site can POST `text/plain` without asking (no CORS preflight), but
 * not `application/json`.
 */
export function hasJsonBody(req: IncomingMessage): boolean {
  return JSON_CONTENT_TYPE.test(req.headers["content-type"] ?? "");
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    "cache-control": "no-store",
    ...headers,
  });
  res.end(res.req.method === "HEAD" ? undefined : text);
}

function setSecurityHeaders(res: ServerResponse): void {
  res.setHeader("x-content-type-options", "nosniff");
  res.setHeader("referrer-policy", "no-referrer");
  res.setHeader("x-frame-options", "DENY");
}

/** Liveness and readiness: no auth, no secrets (Fly's health check and Docker's HEALTHCHECK use them). */
export function healthRoutes(gateway: GatewayContext): HttpRoute[] {
  const live: HttpRoute["handle"] = (_req, res) => sendJson(res, 200, { ok: true, status: "live" });
  const ready: HttpRoute["handle"] = (_req, res) => {
    const { ready: isReady, failing } = gateway.readiness();
    sendJson(res, isReady ? 200 : 503, { ready: isReady, failing });
  };
  return [
    { path: "/healthz", methods: ["GET", "HEAD"], handle: live },
    { path: "/health", methods: ["GET", "HEAD"], handle: live },
    { path: "/readyz", methods: ["GET", "HEAD"], handle: ready },
    { path: "/ready", methods: ["GET", "HEAD"], handle: ready },
  ];
}

function matches(route: HttpRoute, pathname: string): boolean {
  return route.path.endsWith("/*")
    ? pathname.startsWith(route.path.slice(0, -1)) || pathname === route.path.slice(0, -2)
    : pathname === route.path;
}

/** The request handler for every non-WebSocket request on the gateway port. */
export function createHttpHandler(routes: () => readonly HttpRoute[], onError: (err: unknown) => void) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    setSecurityHeaders(res);
    let url: URL;
    try {
      url = new URL(req.url ?? "/", "http://gateway.invalid");
    } catch {
      sendJson(res, 400, { error: { type: "invalid_request", message: "malformed request URL" } });
      return;
    }
    const method = req.method ?? "GET";
    for (const route of routes()) {
      if (!matches(route, url.pathname)) continue;
      if (!route.methods.includes(method)) {
        const error = { type: "method_not_allowed", message: `${method} is not allowed here` };
        sendJson(res, 405, { error }, { allow: route.methods.join(", ") });
        return;
      }
      try {
        if ((await route.handle(req, res, url)) !== false) return;
      } catch (err) {
        if (err instanceof HttpError) {
          sendJson(res, err.status, { error: { type: "invalid_request", message: err.message } });
          return;
        }
        onError(err);
        if (!res.headersSent) sendJson(res, 500, { error: { type: "internal", message: "internal error" } });
        else res.destroy();
        return;
      }
    }
    sendJson(res, 404, { error: { type: "not_found", message: `no route for ${url.pathname}` } });
  };
}
