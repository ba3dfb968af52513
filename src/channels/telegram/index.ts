/**
 * The Telegram channel. This module is light on purpose: grammY is loaded by `start()`
 * (dynamic import of connection.ts), so a gateway without Telegram never loads it.
 */
import { MIN_SECRET_LENGTH, SECRET_GENERATOR_HINT } from "../../config/schema/common.js";
import type { HttpRoute } from "../../infra/http.js";
import { createLogger, registerSecret } from "../../infra/logger.js";
import { createLazyAdapter } from "../lazy-adapter.js";
import type { ChannelAdapter, ChannelAdapterHooks } from "../types.js";

export const TELEGRAM_DEFAULT_API = "https://api.telegram.org";
/** Telegram's limit for one message's text (after entity parsing). */
export const TELEGRAM_MAX_TEXT = 4096;
const DEFAULT_WEBHOOK_PATH = "/telegram-webhook";

export type ReplyToMode = "off" | "first" | "all";

export interface TelegramChannelOptions extends ChannelAdapterHooks {
  /** Bot token; the caller resolves `TELEGRAM_BOT_TOKEN`, then `channels.telegram.botToken`. */
  token: string;
  accountId?: string;
  /** Bot API root (`channels.telegram.apiRoot`): a local Bot API server, or a fake in tests. */
  apiRoot?: string;
  textChunkLimit?: number;
  maxLinesPerMessage?: number;
  replyToMode?: ReplyToMode;
  /** Webhook mode when set: Telegram POSTs updates to this public URL (else long polling). */
  webhookUrl?: string;
  webhookSecret?: string;
  /** Path served on the gateway port (default: the path of `webhookUrl`, else /telegram-webhook). */
  webhookPath?: string;
  /** Serves the webhook on the gateway's HTTP port; returns the function that removes it. */
  registerRoute?: (route: HttpRoute) => () => void;
  /** Send retries: attempts in all, exponential backoff between (429s wait `retry_after`). */
  retry?: { attempts?: number; minDelayMs?: number; maxDelayMs?: number };
  /** Seconds a getUpdates long poll is held open (Telegram allows up to 50). */
  pollTimeoutSeconds?: number;
}

/** Options after defaults and validation. */
export interface TelegramSettings {
  token: string;
  accountId: string;
  apiRoot: string;
  textChunkLimit: number;
  maxLinesPerMessage?: number;
  replyToMode: ReplyToMode;
  webhook?: { url: string; secret: string; path: string };
  retry: { attempts: number; minDelayMs: number; maxDelayMs: number };
  pollTimeoutSeconds: number;
}

export function createTelegramChannel(options: TelegramChannelOptions): ChannelAdapter {
  const settings = resolveSettings(options);
  registerSecret(settings.token);
  registerSecret(settings.webhook?.secret);
  const log = createLogger("telegram");
  return createLazyAdapter("telegram", async (setStatus) => {
    const { connectTelegram } = await import("./connection.js");
    return connectTelegram(settings, {
      log,
      onMessage: options.onMessage,
      setStatus,
      registerRoute: options.registerRoute,
    });
  });
}

function resolveSettings(options: TelegramChannelOptions): TelegramSettings {
  const token = options.token?.trim();
  if (!token) {
    throw new Error("telegram: no bot token; set TELEGRAM_BOT_TOKEN or channels.telegram.botToken");
  }
  const limit = options.textChunkLimit ?? TELEGRAM_MAX_TEXT;
  if (!Number.isInteger(limit) || limit < 20 || limit > TELEGRAM_MAX_TEXT) {
    throw new Error(`telegram: textChunkLimit must be an integer from 20 to 4096 (got ${limit})`);
  }
  const replyToMode = options.replyToMode ?? "first";
  if (!["off", "first", "all"].includes(replyToMode)) {
    throw new Error(
      `telegram: replyToMode must be "off", "first" or "all" (got ${JSON.stringify(replyToMode)})`,
    );
  }
  const apiRoot = (options.apiRoot ?? TELEGRAM_DEFAULT_API).replace(/\/+$/, "");
  if (!/^https?:\/\//.test(apiRoot)) {
    throw new Error(
      `telegram: apiRoot must be an http(s) URL such as ${TELEGRAM_DEFAULT_API} (got ${apiRoot})`,
    );
  }
  return {
    token,
    accountId: options.accountId ?? "default",
    apiRoot,
    textChunkLimit: limit,
    ...(options.maxLinesPerMessage ? { maxLinesPerMessage: options.maxLinesPerMessage } : {}),
    replyToMode,
    ...(options.webhookUrl ? { webhook: resolveWebhook(options) } : {}),
    retry: {
      attempts: Math.max(1, options.retry?.attempts ?? 4),
      minDelayMs: options.retry?.minDelayMs ?? 500,
      maxDelayMs: options.retry?.maxDelayMs ?? 30_000,
    },
    pollTimeoutSeconds: options.pollTimeoutSeconds ?? 30,
  };
}

function resolveWebhook(options: TelegramChannelOptions): NonNullable<TelegramSettings["webhook"]> {
  const url = options.webhookUrl!;
  const secret = options.webhookSecret ?? "";
  // Telegram's rule for secret_token is 1-256 characters from A-Z, a-z, 0-9, _ and -;
  // we ask for MIN_SECRET_LENGTH at least, as the config schema does.
  if (!new RegExp(`^[A-Za-z0-9_-]{${MIN_SECRET_LENGTH},256}$`).test(secret)) {
    throw new Error(
      `telegram: webhook mode needs channels.telegram.webhookSecret: ${MIN_SECRET_LENGTH}-256 characters of A-Z, a-z, 0-9, _ or - (${SECRET_GENERATOR_HINT})`,
    );
  }
  if (!options.registerRoute) throw new Error("telegram: webhook mode needs the gateway's HTTP server");
  let path = options.webhookPath;
  if (!path) {
    const fromUrl = new URL(url).pathname;
    path = fromUrl !== "/" ? fromUrl : DEFAULT_WEBHOOK_PATH;
  }
  if (!path.startsWith("/")) throw new Error(`telegram: webhookPath must start with / (got ${path})`);
  return { url, secret, path };
}
