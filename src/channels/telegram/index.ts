/**
 * The Telegram channel. This module is light on purpose: grammY is loaded by `start()`
 * (dynamic import of connection.ts), so a gateway without Telegram never loads it.
 */
import { TELEGRAM_MAX_TEXT } from "../../config/schema/channels.js";
import type { HttpRoute } from "../../infra/http.js";
import { createLogger, registerSecret } from "../../infra/logger.js";
import { DEFAULT_RETRY, resolveRetry } from "../kit.js";
import { createLazyAdapter } from "../lazy-adapter.js";
import type { RetryPolicy } from "../retry.js";
import type { ChannelAdapter, ChannelAdapterHooks } from "../types.js";

export const TELEGRAM_DEFAULT_API = "https://api.telegram.org";
export { TELEGRAM_MAX_TEXT };

const DEFAULT_WEBHOOK_PATH = "/telegram-webhook";

export type ReplyToMode = "off" | "first" | "all";

export interface TelegramChannelOptions extends ChannelAdapterHooks {
  /** Bot token; the caller resolves `TELEGRAM_BOT_TOKEN`, then `channels.telegram.botToken`. */
  token: string;
  accountId?: string;
  /** Bot API root (`channels.telegram.apiRoot`): a local Bot API server, or a fake in tests. */
  apiRoot?: string;
  /** 20-4096; checked by the config schema (channels.telegram), not here. */
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
  retry?: Partial<RetryPolicy>;
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
  retry: RetryPolicy;
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
  return {
    token,
    accountId: options.accountId ?? "default",
    apiRoot: (options.apiRoot ?? TELEGRAM_DEFAULT_API).replace(/\/+$/, ""),
    textChunkLimit: options.textChunkLimit ?? TELEGRAM_MAX_TEXT,
    ...(options.maxLinesPerMessage ? { maxLinesPerMessage: options.maxLinesPerMessage } : {}),
    replyToMode: options.replyToMode ?? "first",
    ...(options.webhookUrl ? { webhook: resolveWebhook(options) } : {}),
    // One more try than the default: Telegram's 429s are common and say how long to wait.
    retry: resolveRetry(options.retry, { ...DEFAULT_RETRY, attempts: 4 }),
    pollTimeoutSeconds: options.pollTimeoutSeconds ?? 30,
  };
}

function resolveWebhook(options: TelegramChannelOptions): NonNullable<TelegramSettings["webhook"]> {
  const url = options.webhookUrl!;
  // The config schema checks its form and that webhookUrl comes with it.
  const secret = options.webhookSecret;
  if (!secret) throw new Error("telegram: webhook mode needs channels.telegram.webhookSecret");
  if (!options.registerRoute) throw new Error("telegram: webhook mode needs the gateway's HTTP server");
  let path = options.webhookPath;
  if (!path) {
    const fromUrl = new URL(url).pathname;
    path = fromUrl !== "/" ? fromUrl : DEFAULT_WEBHOOK_PATH;
  }
  return { url, secret, path };
}
