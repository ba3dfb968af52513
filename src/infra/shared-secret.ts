import type { IncomingMessage } from "node:http";
import { clientAddress } from "./net-address.js";
import type { AuthRateLimiter } from "./rate-limit.js";
import type { OperatorScope } from "./rpc.js";
import { safeEqualSecret } from "./secrets.js";

export type AuthMode = "none" | "token" | "password";

export interface ResolvedAuth {
  mode: AuthMode;
  token?: string;
  password?: string;
  /** Most a shared-secret (or loopback no-auth) client may hold: `gateway.auth.scopes`. */
  scopes?: readonly OperatorScope[];
}

export type AuthResult =
  | { ok: true; method: AuthMode }
  | {
      ok: false;
      reason: "token_missing" | "token_mismatch" | "password_missing" | "password_mismatch" | "rate_limited";
      retryAfterMs?: number;
    };

/** Checks the credential of a connect request or an HTTP bearer against the resolved auth. */
export function checkSharedSecret(
  auth: ResolvedAuth,
  given: { token?: string; password?: string },
): AuthResult {
  if (auth.mode === "none") return { ok: true, method: "none" };
  if (auth.mode === "token") {
    if (!given.token) return { ok: false, reason: "token_missing" };
    return auth.token && safeEqualSecret(given.token, auth.token)
      ? { ok: true, method: "token" }
      : { ok: false, reason: "token_mismatch" };
  }
  if (!given.password) return { ok: false, reason: "password_missing" };
  return auth.password && safeEqualSecret(given.password, auth.password)
    ? { ok: true, method: "password" }
    : { ok: false, reason: "password_mismatch" };
}

/** Why a bearer-guarded HTTP route refuses to run on a gateway without auth (HTTP 403). */
export const BEARER_NEEDS_AUTH_MESSAGE =
  "this route needs gateway auth, and the gateway has none: set gateway.auth.token (or OPENCLAW_GATEWAY_TOKEN) and send it as a Bearer token";

/**
 * HTTP routes behind the gateway token (`Authorization: Bearer <token or password>`),
 * rate limited per address like WebSocket connects. The caller words the refusal.
 * Without gateway auth none of them runs (403): any local program or web page could
 * otherwise make the agent act.
 */
export function authorizeBearer(
  req: IncomingMessage,
  auth: ResolvedAuth,
  rateLimiter: AuthRateLimiter,
): { ok: true } | { ok: false; status: 429; retryAfterSeconds: number } | { ok: false; status: 401 | 403 } {
  if (auth.mode === "none") return { ok: false, status: 403 };
  const address = clientAddress(req);
  const wait = rateLimiter.retryAfterMs(address);
  if (wait > 0) return { ok: false, status: 429, retryAfterSeconds: Math.ceil(wait / 1000) };
  const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? "")?.[1]?.trim();
  if (!checkSharedSecret(auth, { token: bearer, password: bearer }).ok) {
    if (bearer) rateLimiter.recordFailure(address);
    return { ok: false, status: 401 };
  }
  rateLimiter.reset(address);
  return { ok: true };
}
