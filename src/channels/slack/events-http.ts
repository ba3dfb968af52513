/**
 * HTTP events mode: Slack POSTs each event to a path on the gateway port. Slack signs
 * every request: `X-Slack-Signature: v0=HMAC-SHA256(signingSecret, "v0:<ts>:<raw body>")`
 * with `X-Slack-Request-Timestamp`. A request without a valid signature, or signed more
 * than five minutes from now (a replay), is answered 401 and never reaches the agent.
 */
import { createHmac } from "node:crypto";
import { HttpError, type HttpRoute, readBody, sendJson } from "../../infra/http.js";
import { safeEqualSecret } from "../../infra/secrets.js";

/** Slack's events are small; a body this large is not from Slack. */
const MAX_EVENT_BYTES = 1024 * 1024;
/** Slack's own rule: reject requests whose timestamp is more than five minutes away. */
export const SIGNATURE_WINDOW_SECONDS = 5 * 60;

/** Whether `signature` signs `rawBody` at `timestamp` with `secret`, within the window of `nowMs`. */
export function verifySlackSignature(opts: {
  secret: string;
  timestamp: string | undefined;
  signature: string | undefined;
  rawBody: Buffer;
  nowMs: number;
}): { ok: true } | { ok: false; reason: string } {
  const { timestamp, signature } = opts;
  if (!timestamp || !/^\d{1,12}$/.test(timestamp) || !signature) {
    return { ok: false, reason: "missing X-Slack-Signature or X-Slack-Request-Timestamp" };
  }
  if (Math.abs(opts.nowMs / 1000 - Number(timestamp)) > SIGNATURE_WINDOW_SECONDS) {
    return { ok: false, reason: "X-Slack-Request-Timestamp is more than five minutes off" };
  }
  const expected = `v0=${createHmac("sha256", opts.secret)
    .update(`v0:${timestamp}:`)
    .update(opts.rawBody)
    .digest("hex")}`;
  if (!safeEqualSecret(signature, expected)) return { ok: false, reason: "wrong X-Slack-Signature" };
  return { ok: true };
}

export function slackEventsRoute(opts: {
  path: string;
  signingSecret: string;
  /** Called after the 200 went out: Slack wants an answer within 3 s, whatever the agent does. */
  onEnvelope(body: Record<string, unknown>): void;
  now?: () => number;
}): HttpRoute {
  const now = opts.now ?? Date.now;
  return {
    path: opts.path,
    methods: ["POST"],
    async handle(req, res) {
      const raw = await readBody(req, MAX_EVENT_BYTES);
      const verdict = verifySlackSignature({
        secret: opts.signingSecret,
        timestamp: header(req.headers["x-slack-request-timestamp"]),
        signature: header(req.headers["x-slack-signature"]),
        rawBody: raw,
        nowMs: now(),
      });
      if (!verdict.ok) {
        sendJson(res, 401, { error: { type: "unauthorized", message: verdict.reason } });
        return;
      }
      let body: unknown;
      try {
        body = JSON.parse(raw.toString("utf8"));
      } catch {
        throw new HttpError(400, "the body is not a JSON Slack event");
      }
      if (typeof body !== "object" || body === null)
        throw new HttpError(400, "the body is not a Slack event");
      const envelope = body as Record<string, unknown>;
      // Slack checks the Request URL once with a challenge to echo.
      if (envelope.type === "url_verification") {
        sendJson(res, 200, { challenge: String(envelope.challenge ?? "") });
        return;
      }
      sendJson(res, 200, { ok: true });
      opts.onEnvelope(envelope);
    },
  };
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
