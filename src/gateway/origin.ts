import type { IncomingMessage } from "node:http";
import { isLoopbackAddress } from "../infra/rate-limit.js";
import type { AuthMode } from "../infra/shared-secret.js";

const LOOPBACK_HOSTNAMES = ["localhost", "127.0.0.1", "[::1]"] as const;

/** Whether a Host header names loopback (`localhost`, `127.0.0.1` or `[::1]`, with or without a port), without allocating. */
function isLoopbackHost(host: string | undefined): boolean {
  if (!host) return false;
  for (const name of LOOPBACK_HOSTNAMES) {
    if (!host.startsWith(name)) continue;
    if (host.length === name.length) return true;
    if (host.charCodeAt(name.length) !== 58 /* ":" */ || host.length === name.length + 1) return false;
    for (let i = name.length + 1; i < host.length; i++) {
      const c = host.charCodeAt(i);
      if (c < 48 || c > 57) return false;
    }
    return true;
  }
  return false;
}

/**
 * The Host/Origin rule for every WebSocket and HTTP request. Browsers send `Origin`;
 * other clients (CLI, bots, webhook senders) do not. A browser may come from a page of
 * this gateway (same host), from an origin listed in `gateway.controlUi.allowedOrigins`,
 * or, on a loopback bind with auth, from a loopback page (a dev server). Without auth,
 * the Host header must be a loopback name too (that defeats DNS rebinding, where a
 * hostile site's name resolves to 127.0.0.1), `"*"` counts for nothing and other
 * loopback pages are refused: any local web page could otherwise drive the agent.
 */
export function checkBrowserOrigin(
  req: IncomingMessage,
  opts: { allowedOrigins: readonly string[]; loopbackBind: boolean; authMode: AuthMode },
): string | undefined {
  const hostHeader = req.headers.host;
  const origin = req.headers.origin;
  const noAuth = opts.authMode === "none";
  if (noAuth && !isLoopbackHost(hostHeader) && (origin || !isLoopbackAddress(req.socket.remoteAddress))) {
    return "this gateway has no auth configured and only accepts clients addressing it as localhost";
  }
  if (!origin) return undefined;
  if (opts.allowedOrigins.includes(origin)) return undefined;
  // Gateway start refuses "*" without auth; this covers a config reload that adds it.
  if (!noAuth && opts.allowedOrigins.includes("*")) return undefined;
  let originUrl: URL;
  try {
    originUrl = new URL(origin);
  } catch {
    return `origin not allowed: ${origin}`;
  }
  if (hostHeader && originUrl.host === hostHeader) return undefined;
  if (opts.loopbackBind && !noAuth && isLoopbackHost(originUrl.hostname)) return undefined;
  return `origin not allowed: ${origin} (open the Control UI from the gateway's own address or add it to gateway.controlUi.allowedOrigins)`;
}
