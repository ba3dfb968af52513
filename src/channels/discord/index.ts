/**
 * The Discord channel. This module is light on purpose: the Discord library is loaded
 * by `start()` (dynamic import), so a gateway without Discord configured never loads it.
 */
import { createLogger, registerSecret } from "../../infra/logger.js";
import { resolveRetry } from "../kit.js";
import { createLazyAdapter } from "../lazy-adapter.js";
import type { RetryPolicy } from "../retry.js";
import type { ChannelAdapter, ChannelAdapterHooks } from "../types.js";

export const DISCORD_DEFAULT_API = "https://discord.com/api";

export type ReplyToMode = "off" | "first" | "all";

export interface DiscordChannelOptions extends ChannelAdapterHooks {
  /** Bot token; the caller resolves `DISCORD_BOT_TOKEN`, then `channels.discord.token`. */
  token: string;
  accountId?: string;
  /** REST base (`channels.discord.apiBaseUrl`); the gateway URL comes from `GET /gateway/bot`. */
  apiBaseUrl?: string;
  /** 20-2000; the ranges are checked by the config schema (channels.discord), not here. */
  textChunkLimit?: number;
  maxLinesPerMessage?: number;
  replyToMode?: ReplyToMode;
  /** Send retries (`channels.discord.retry`): attempts in all, exponential backoff between. */
  retry?: Partial<RetryPolicy>;
}

/** Options after defaults and validation. */
export interface DiscordSettings {
  token: string;
  accountId: string;
  apiBaseUrl: string;
  textChunkLimit: number;
  maxLinesPerMessage: number;
  replyToMode: ReplyToMode;
  retry: RetryPolicy;
}

export function createDiscordChannel(options: DiscordChannelOptions): ChannelAdapter {
  const settings = resolveSettings(options);
  registerSecret(settings.token);
  const log = createLogger("discord");
  return createLazyAdapter("discord", async (setStatus) => {
    const { connectDiscord } = await import("./connection.js");
    return connectDiscord(settings, { log, onMessage: options.onMessage, setStatus });
  });
}

function resolveSettings(options: DiscordChannelOptions): DiscordSettings {
  const token = options.token?.trim();
  if (!token) {
    throw new Error("discord: no bot token; set DISCORD_BOT_TOKEN or channels.discord.token");
  }
  return {
    token,
    accountId: options.accountId ?? "default",
    apiBaseUrl: (options.apiBaseUrl ?? DISCORD_DEFAULT_API).replace(/\/+$/, ""),
    // Discord's own limit per message.
    textChunkLimit: options.textChunkLimit ?? 2000,
    // Discord collapses longer messages behind "read more" in most clients.
    maxLinesPerMessage: options.maxLinesPerMessage ?? 17,
    replyToMode: options.replyToMode ?? "off",
    retry: resolveRetry(options.retry),
  };
}
