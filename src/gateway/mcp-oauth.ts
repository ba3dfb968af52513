import type { ServerResponse } from "node:http";
import type { McpBrowserSignIns, McpSignInResult } from "../agents/mcp/oauth-browser.js";
import type { McpServerConfig } from "../config/schema/mcp.js";
import type { HttpRoute } from "../infra/http.js";
import { createLogger } from "../infra/logger.js";
import { redactText } from "../infra/redact.js";
import { ErrorCodes, GatewayRequestError } from "../infra/rpc.js";

/**
 * The gateway's side of MCP sign-in from the Control UI: where the provider sends the
 * browser back (`<controlUi.basePath>/oauth/mcp/callback`, OpenClaw's path under the
 * UI's base), and which origin that URL may be built on.
 */

export const MCP_OAUTH_CALLBACK_PATH = "/oauth/mcp/callback";
/** Longer callback URLs are refused before anything is parsed (OpenClaw's limit). */
const MAX_CALLBACK_URL_BYTES = 8192;

const log = createLogger("mcp");

const base = (basePath: string) => basePath.replace(/\/+$/, "");

/**
 * The redirect URL of a Control UI sign-in. `oauth.redirectUrl` wins when it points at
 * this callback (a client registered in advance, a proxy that rewrites the host). Else
 * the page's `origin` is used: only the origin its WebSocket came from (already checked
 * against the Host header or `gateway.controlUi.allowedOrigins`) or one listed there, so
 * no caller can have the code sent to a site of its choosing.
 */
export function mcpOAuthRedirectUrl(opts: {
  origin: string;
  connectionOrigin: string | undefined;
  allowedOrigins: readonly string[];
  basePath: string;
  server: McpServerConfig;
}): string {
  const path = `${base(opts.basePath)}${MCP_OAUTH_CALLBACK_PATH}`;
  const configured = opts.server.oauth?.redirectUrl;
  if (configured && new URL(configured).pathname === path) return configured;
  let parsed: URL | undefined;
  try {
    parsed = new URL(opts.origin);
  } catch {}
  const isOrigin = parsed && /^https?:$/.test(parsed.protocol) && parsed.origin === opts.origin;
  const allowed = opts.origin === opts.connectionOrigin || opts.allowedOrigins.includes(opts.origin);
  if (!isOrigin || !allowed) {
    throw new GatewayRequestError(
      ErrorCodes.INVALID_REQUEST,
      "origin is not this Control UI's: open the Control UI from the gateway's own address, or add the origin to gateway.controlUi.allowedOrigins",
    );
  }
  return `${opts.origin}${path}`;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** No script, no style, no form, no frame: the page is text. */
const PAGE_CSP = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

function page(res: ServerResponse, status: number, title: string, text: string): void {
  const body = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main><h1>${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p></main></body></html>
`;
  res.writeHead(status, {
    "content-type": "text/html; charset=utf-8",
    "content-length": Buffer.byteLength(body),
    "content-security-policy": PAGE_CSP,
    "cache-control": "no-store",
  });
  res.end(body);
}

const AGAIN = "Start again with Sign in on the Control UI's MCP servers list.";

function answer(res: ServerResponse, result: McpSignInResult): void {
  if (result.ok) {
    page(res, 200, "Signed in", `MCP server “${result.name}” is signed in. You can close this tab.`);
    return;
  }
  switch (result.reason) {
    case "unknown-state":
      page(res, 400, "Sign-in link expired", `This sign-in link expired or was already used. ${AGAIN}`);
      return;
    case "refused":
      page(res, 400, "Sign-in not completed", `The sign-in was cancelled or refused. ${AGAIN}`);
      return;
    case "changed":
      page(res, 409, "Sign-in not completed", `The server's settings changed during the sign-in. ${AGAIN}`);
      return;
    case "failed":
      page(res, 502, "Sign-in not completed", `The provider did not issue a token. ${AGAIN}`);
      return;
  }
}

/**
 * The callback route. It needs no gateway token (the provider's redirect cannot carry
 * one): the single-use `state` handed out by `mcp.authLogin` is the credential. Nothing
 * from the query is echoed into the page.
 */
export function mcpOAuthCallbackRoute(opts: {
  basePath: string;
  signIns: () => Promise<McpBrowserSignIns | undefined>;
  servers: () => Record<string, McpServerConfig>;
  signedIn: (name: string) => void;
}): HttpRoute {
  return {
    path: `${base(opts.basePath)}${MCP_OAUTH_CALLBACK_PATH}`,
    methods: ["GET"],
    async handle(req, res, url) {
      const signIns = await opts.signIns();
      if (Buffer.byteLength(req.url ?? "") > MAX_CALLBACK_URL_BYTES || !signIns) {
        answer(res, { ok: false, reason: "unknown-state" });
        return true;
      }
      const result = await signIns.complete(url, (name) => opts.servers()[name]);
      if (result.ok) {
        log.info(`mcp ${result.name}: signed in from the Control UI`);
        opts.signedIn(result.name);
      } else if (result.name) {
        const why = result.error ? `: ${redactText(result.error)}` : "";
        log.warn(`mcp ${result.name}: Control UI sign-in not completed (${result.reason})${why}`);
      } else log.warn("mcp: a sign-in callback came with an unknown or expired state");
      answer(res, result);
      return true;
    },
  };
}
