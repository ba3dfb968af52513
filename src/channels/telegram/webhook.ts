/**
 * Webhook mode: Telegram POSTs each update to our public URL, which the gateway serves
 * on its own port. Telegram sends the secret we registered with setWebhook in
 * `X-Telegram-Bot-Api-Secret-Token`; anything without it is answered 401.
 */
import { safeEqualSecret } from "../../gateway/auth.js";
import { HttpError, type HttpRoute, readBody, sendJson } from "../../gateway/http.js";

/** Updates are small; a body this large is not from Telegram. */
const MAX_UPDATE_BYTES = 1024 * 1024;
const SECRET_HEADER = "x-telegram-bot-api-secret-token";

export function webhookRoute(opts: {
  path: string;
  secret: string;
  onUpdate(update: unknown): void;
}): HttpRoute {
  return {
    path: opts.path,
    methods: ["POST"],
    async handle(req, res) {
      const given = req.headers[SECRET_HEADER];
      if (typeof given !== "string" || !safeEqualSecret(given, opts.secret)) {
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
