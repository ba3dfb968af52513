import type { IncomingMessage, ServerResponse } from "node:http";
import { HttpError, type HttpRoute, sendJson } from "../infra/http.js";

function setSecurityHeaders(res: ServerResponse): void {
  res.setHeader("x-content-type-options", "nosniff");
  res.setHeader("referrer-policy", "no-referrer");
  res.setHeader("x-frame-options", "DENY");
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
