import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { GatewayConfig, OperatorScope } from "../config/schema.js";
import { addressKey, clientAddress } from "./net.js";

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

/**
 * The shared secret clients must present. Precedence: `--token`/`--password`, then
 * `OPENCLAW_GATEWAY_TOKEN`/`OPENCLAW_GATEWAY_PASSWORD` (so rotating a Fly secret takes
 * effect on restart even if the file has an old value), then `gateway.auth.*`.
 */
export function resolveGatewayAuth(
  gateway: GatewayConfig | undefined,
  env: NodeJS.ProcessEnv,
  cli: { token?: string; password?: string } = {},
): ResolvedAuth {
  const token = cli.token || env.OPENCLAW_GATEWAY_TOKEN || gateway?.auth?.token || undefined;
  const password = cli.password || env.OPENCLAW_GATEWAY_PASSWORD || gateway?.auth?.password || undefined;
  const explicit = gateway?.auth?.mode;
  const mode: AuthMode = explicit ?? (password && !token ? "password" : token ? "token" : "none");
  const scopes = gateway?.auth?.scopes;
  return { mode, token, password, ...(scopes ? { scopes } : {}) };
}

/** Constant-time comparison of two secrets of any length (hashing first hides the length). */
export function safeEqualSecret(given: string, expected: string): boolean {
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}

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

export const AUTH_FAILURE_MESSAGES: Record<Exclude<AuthResult, { ok: true }>["reason"], string> = {
  token_missing:
    "unauthorized: gateway token missing (set connect.params.auth.token to this gateway's token)",
  token_mismatch:
    "unauthorized: gateway token mismatch (use this gateway's gateway.auth.token or OPENCLAW_GATEWAY_TOKEN)",
  password_missing: "unauthorized: gateway password missing (set connect.params.auth.password)",
  password_mismatch: "unauthorized: gateway password mismatch",
  rate_limited: "unauthorized: too many failed authentication attempts; try again later",
};

export interface RateLimitOptions {
  maxAttempts: number;
  windowMs: number;
  lockoutMs: number;
  exemptLoopback: boolean;
}

export const DEFAULT_RATE_LIMIT: RateLimitOptions = {
  maxAttempts: 10,
  windowMs: 60_000,
  lockoutMs: 5 * 60_000,
  // Not exempt by default: behind a reverse proxy or tunnel on the same host every
  // client arrives from loopback, and exempting it would switch the limiter off.
  exemptLoopback: false,
};

const MAX_TRACKED_ADDRESSES = 10_000;

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

/**
 * Sliding-window failure counter per client (addresses grouped by `addressKey`: all of
 * loopback is one client, IPv6 counts per /64), with a lockout once exceeded.
 */
export class AuthRateLimiter {
  private readonly entries = new Map<string, { failures: number[]; lockedUntil: number }>();

  constructor(
    private options: RateLimitOptions = DEFAULT_RATE_LIMIT,
    private readonly now: () => number = Date.now,
  ) {}

  configure(options: RateLimitOptions): void {
    this.options = options;
  }

  /** Milliseconds the address must wait, or 0 when it may try. */
  retryAfterMs(address: string): number {
    if (this.isExempt(address)) return 0;
    const entry = this.entries.get(addressKey(address));
    if (!entry) return 0;
    return Math.max(0, entry.lockedUntil - this.now());
  }

  recordFailure(address: string): void {
    if (this.isExempt(address)) return;
    const now = this.now();
    const key = addressKey(address);
    const entry = this.entries.get(key) ?? { failures: [], lockedUntil: 0 };
    entry.failures = entry.failures.filter((t) => now - t < this.options.windowMs);
    entry.failures.push(now);
    if (entry.failures.length >= this.options.maxAttempts) {
      entry.lockedUntil = now + this.options.lockoutMs;
      entry.failures = [];
    }
    this.entries.delete(key);
    this.entries.set(key, entry);
    if (this.entries.size > MAX_TRACKED_ADDRESSES) this.prune(now);
  }

  reset(address: string): void {
    this.entries.delete(addressKey(address));
  }

  private prune(now: number): void {
    for (const [address, entry] of this.entries) {
      const live = entry.lockedUntil > now || entry.failures.some((t) => now - t < this.options.windowMs);
      if (!live) this.entries.delete(address);
    }
    // Still too many (an address-spraying attacker): drop the oldest-touched entries.
    for (const address of this.entries.keys()) {
      if (this.entries.size <= MAX_TRACKED_ADDRESSES) break;
      this.entries.delete(address);
    }
  }

  private isExempt(address: string): boolean {
    return this.options.exemptLoopback && isLoopbackAddress(address);
  }
}

export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.startsWith("::ffff:") ? address.slice(7) : address;
  return a === "::1" || a.startsWith("127.");
}
