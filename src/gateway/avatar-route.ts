/**
 * OpenClaw's agent avatar route, `GET <basePath>/avatar/<agentId>`: the agent's avatar
 * file (a workspace path from its identity) when it is too large to inline in
 * `agent.identity.get` (over 256 KB, up to OpenClaw's 2 MB).
 *
 * Two ways in, both required: OpenClaw's `Authorization: Bearer <token>` (its Control UI
 * fetches the image), or the short-lived signed URL `agent.identity.get` hands out
 * (`?v=<revision>&exp=<unix s>&sig=<hmac>`), which our Control UI puts in an <img>,
 * a request that cannot carry a header. The signature covers the agent id, the revision
 * and the expiry, under a key that lives only in this process's memory: a URL opens one
 * agent's avatar for at most two hours and a restart ends them all. Only same-origin
 * pages may embed the image (`Cross-Origin-Resource-Policy`), a cross-site request is
 * refused, and the bytes are served only as a sniffed raster type with `nosniff` and a
 * sandboxing CSP. A remote (http/https) avatar is never fetched: no open proxy.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { resolveAgent } from "../agents/agent-config.js";
import { avatarSourceOf, MAX_AVATAR_FILE_BYTES, readAvatarFile } from "../agents/identity.js";
import { type HttpRoute, sendJson } from "../infra/http.js";
import type { AuthRateLimiter } from "../infra/rate-limit.js";
import { authorizeBearer, type ResolvedAuth } from "../infra/shared-secret.js";
import { knownAgentIds } from "../routing/known-agents.js";
import type { GatewayContext } from "./context.js";

/** The process's signing key: never stored, never sent; a restart invalidates every URL. */
const KEY = randomBytes(32);
/** URLs are valid for one to two hours: the expiry is rounded up to the hour, so it stays the same (and cached) within an hour. */
const URL_HOUR_S = 3600;

const basePathOf = (gateway: GatewayContext) =>
  (gateway.config().config.gateway?.controlUi?.basePath ?? "/").replace(/\/+$/, "");

const sign = (agentId: string, revision: string, exp: number) =>
  createHmac("sha256", KEY).update(`${agentId}\n${revision}\n${exp}`).digest("base64url");

/** The signed same-origin URL of an agent's avatar file, for `agent.identity.get`. */
export function signedAvatarUrl(
  gateway: GatewayContext,
  agentId: string,
  revision: string,
  nowMs = Date.now(),
): string {
  const exp = (Math.floor(nowMs / 1000 / URL_HOUR_S) + 2) * URL_HOUR_S;
  const query = `v=${revision}&exp=${exp}&sig=${sign(agentId, revision, exp)}`;
  return `${basePathOf(gateway)}/avatar/${encodeURIComponent(agentId)}?${query}`;
}

function validSignature(agentId: string, url: URL, nowMs: number): boolean {
  const revision = url.searchParams.get("v") ?? "";
  const exp = Number(url.searchParams.get("exp"));
  const given = Buffer.from(url.searchParams.get("sig") ?? "");
  if (!Number.isSafeInteger(exp) || exp * 1000 < nowMs) return false;
  const expected = Buffer.from(sign(agentId, revision, exp));
  return given.length === expected.length && timingSafeEqual(given, expected);
}

const refuse = (res: ServerResponse, status: number, message: string, headers?: Record<string, string>) =>
  sendJson(res, status, { error: { type: status === 404 ? "not_found" : "unauthorized", message } }, headers);

/** `GET|HEAD <basePath>/avatar/<agentId>`; `now` is for tests. */
export function avatarRoute(opts: {
  gateway: GatewayContext;
  auth: () => ResolvedAuth;
  rateLimiter: AuthRateLimiter;
  now?: () => number;
}): HttpRoute {
  const { gateway } = opts;
  const now = opts.now ?? Date.now;
  return {
    path: `${basePathOf(gateway)}/avatar/*`,
    methods: ["GET", "HEAD"],
    handle: (req, res, url) => serve(req, res, url),
  };

  function serve(req: IncomingMessage, res: ServerResponse, url: URL): void {
    // A page on another site may not even ask (its <img> would send the signed URL's cookie-less request).
    const site = req.headers["sec-fetch-site"];
    if (site !== undefined && site !== "same-origin" && site !== "none") {
      refuse(res, 403, "avatars are served to the Control UI's own origin only");
      return;
    }
    let agentId: string;
    try {
      agentId = decodeURIComponent(url.pathname.slice(url.pathname.lastIndexOf("/avatar/") + 8));
    } catch {
      refuse(res, 404, "no such agent");
      return;
    }
    if (url.searchParams.has("sig")) {
      if (!validSignature(agentId, url, now())) {
        refuse(res, 401, "this avatar link has expired: ask agent.identity.get for a new one");
        return;
      }
    } else {
      const verdict = authorizeBearer(req, opts.auth(), opts.rateLimiter);
      if (!verdict.ok) {
        const retry: Record<string, string> =
          verdict.status === 429 ? { "retry-after": String(verdict.retryAfterSeconds) } : {};
        refuse(res, verdict.status, "send the gateway token as Authorization: Bearer <token>", retry);
        return;
      }
    }
    const config = gateway.config().config;
    const entry = config.agents?.list?.find((a) => a.id === agentId);
    if (!knownAgentIds(config.agents?.list).includes(agentId)) {
      refuse(res, 404, "no such agent");
      return;
    }
    const { workspace } = resolveAgent(config, agentId, gateway.stateDir);
    const source = avatarSourceOf({ ...entry?.identity }, workspace);
    // Only workspace files are served: data URIs are inlined, remote URLs never fetched.
    const file =
      source && !/^[a-z][a-z0-9+.-]*:/i.test(source) && /[/\\.]/.test(source)
        ? readAvatarFile(workspace, source, { maxBytes: MAX_AVATAR_FILE_BYTES, whole: true })
        : "missing";
    if (typeof file === "string") {
      refuse(res, 404, `this agent has no avatar file to serve (${file})`);
      return;
    }
    const etag = `"${file.revision}"`;
    const headers = {
      etag,
      // A versioned URL names these bytes for good; an unversioned one is checked each time.
      "cache-control":
        url.searchParams.get("v") === file.revision
          ? "private, max-age=7200, immutable"
          : "private, no-cache",
      "cross-origin-resource-policy": "same-origin",
      "content-security-policy": "default-src 'none'; sandbox",
      "x-content-type-options": "nosniff",
    };
    if (req.headers["if-none-match"] === etag) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    res.writeHead(200, { ...headers, "content-type": file.type, "content-length": file.bytes.length });
    res.end(req.method === "HEAD" ? undefined : file.bytes);
  }
}
