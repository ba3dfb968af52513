/**
 * Webhook mode: Telegram POSTs each update to our public URL, which the gateway serves
 * on its own port. Telegram sends the secret we registered with setWebhook in
 * `X-Telegram-Bot-Api-Secret-Token`; anything without it is answered 401, and a client
 * that keeps guessing is answered 429 until its lockout ends.
 */

import { HttpError, type HttpRoute, readBody, sendJson } from "../../infra/http.js";
import { clientAddress } from "../../infra/net-address.js";
import { AuthRateLimiter, type RateLimitOptions } from "../../infra/rate-limit.js";
import { safeEqualSecret } from "../../infra/secrets.js";

/** Updates are small; a body this large is not from Telegram. */
const MAX_UPDATE_BYTES = 1024 * 1024;
const SECRET_HEADER = "x-telegram-bot-api-secret-token";

/**
 * Wrong secrets per client before a lockout (OpenClaw's webhook limit). Telegram itself
 * never sends a wrong one, so only guessers (or a stale setWebhook) are slowed; the short
 * lockout bounds how long a misconfigured proxy could stall real updates.
 */
export const WEBHOOK_RATE_LIMIT: RateLimitOptions = {
  maxAttempts: 20,
  windowMs: 60_000,
  lockoutMs: 60_000,
  // Tunnels (ngrok, Tailscale Funnel) deliver from loopback: exempting it would disable the limit.
  exemptLoopback: false,
};

export function webhookRoute(opts: {
  path: string;
  secret: string;
  onUpdate(update: unknown): void;
  rateLimiter?: AuthRateLimiter;
}): HttpRoute {
  const limiter = opts.rateLimiter ?? new AuthRateLimiter(WEBHOOK_RATE_LIMIT);
  return {
    path: opts.path,
    methods: ["POST"],
    async handle(req, res) {
      const address = clientAddress(req);
      const waitMs = limiter.retryAfterMs(address);
      if (waitMs > 0) {
        const error = { type: "rate_limited", message: "too many wrong webhook secrets; try again later" };
        sendJson(res, 429, { error }, { "retry-after": String(Math.ceil(waitMs / 1000)) });
        return;
      }
      const given = req.headers[SECRET_HEADER];
      if (typeof given !== "string" || !safeEqualSecret(given, opts.secret)) {
        limiter.recordFailure(address);
        const error = { type: "unauthorized", message: "missing or wrong X-Telegram-Bot-Api-Secret-Token" };
        sendJson(res, 401, { error });
        return;
      }
      let update: unknown;
      try {
        update = JSON.parse((await readBody(req, MAX_UPDATE_BYTES)).toString("utf8"));
      } catch (err) {
        if (err instanceof HttpError) throw err;
        throw new HttpError(400, "the body is not a JSON Telegram update");
      }
      if (typeof update !== "object" || update === null || !("update_id" in update)) {
        throw new HttpError(400, "the body is not a Telegram update (no update_id)");
      }
      // Answer at once: Telegram waits for the response before sending the next update.
      sendJson(res, 200, { ok: true });
      opts.onUpdate(update);
    },
  };
}
