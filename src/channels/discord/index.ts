/**
 * The Discord channel. This module is light on purpose: the Discord library is loaded
 * by `start()` (dynamic import), so a gateway without Discord configured never loads it.
 */
import { createLogger, registerSecret } from "../../infra/logger.js";
import { createLazyAdapter } from "../lazy-adapter.js";
import type { ChannelAdapter, ChannelAdapterHooks } from "../types.js";

export const DISCORD_DEFAULT_API = "https://discord.com/api";

export type ReplyToMode = "off" | "first" | "all";

export interface DiscordChannelOptions extends ChannelAdapterHooks {
  /** Bot token; the caller resolves `DISCORD_BOT_TOKEN`, then `channels.discord.token`. */
  token: string;
  accountId?: string;
  /** REST base (`channels.discord.apiBaseUrl`); the gateway URL comes from `GET /gateway/bot`. */
  apiBaseUrl?: string;
  textChunkLimit?: number;
  maxLinesPerMessage?: number;
  replyToMode?: ReplyToMode;
  /** Send retries (`channels.discord.retry`): attempts in all, exponential backoff between. */
  retry?: { attempts?: number; minDelayMs?: number; maxDelayMs?: number };
}

/** Options after defaults and validation. */
export interface DiscordSettings {
  token: string;
  accountId: string;
  apiBaseUrl: string;
  textChunkLimit: number;
  maxLinesPerMessage: number;
  replyToMode: ReplyToMode;
  retry: { attempts: number; minDelayMs: number; maxDelayMs: number };
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
  const limit = options.textChunkLimit ?? 2000;
  if (!Number.isInteger(limit) || limit < 20 || limit > 2000) {
    throw new Error(`discord: textChunkLimit must be an integer from 20 to 2000 (got ${limit})`);
  }
  const maxLines = options.maxLinesPerMessage ?? 17;
  if (!Number.isInteger(maxLines) || maxLines < 1) {
    throw new Error(`discord: maxLinesPerMessage must be a positive integer (got ${maxLines})`);
  }
  const replyToMode = options.replyToMode ?? "off";
  if (!["off", "first", "all"].includes(replyToMode)) {
    throw new Error(
      `discord: replyToMode must be "off", "first" or "all" (got ${JSON.stringify(replyToMode)})`,
    );
  }
  const apiBaseUrl = (options.apiBaseUrl ?? DISCORD_DEFAULT_API).replace(/\/+$/, "");
  if (!/^https?:\/\//.test(apiBaseUrl)) {
    throw new Error(
      `discord: apiBaseUrl must be an http(s) URL such as ${DISCORD_DEFAULT_API} (got ${apiBaseUrl})`,
    );
  }
  return {
    token,
    accountId: options.accountId ?? "default",
    apiBaseUrl,
    textChunkLimit: limit,
    maxLinesPerMessage: maxLines,
    replyToMode,
    retry: {
      attempts: Math.max(1, options.retry?.attempts ?? 3),
      minDelayMs: options.retry?.minDelayMs ?? 500,
      maxDelayMs: options.retry?.maxDelayMs ?? 30_000,
    },
  };
}
