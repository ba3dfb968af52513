/**
 * The Slack channel. This module is light on purpose: Slack's SDK (@slack/web-api,
 * @slack/socket-mode) is loaded by `start()` (dynamic import of connection.ts), so a
 * gateway without Slack configured never loads it.
 */
import { SLACK_DEFAULT_TEXT_CHUNK, type SLACK_REPLY_TO_MODES } from "../../config/schema/slack.js";
import type { HttpRoute } from "../../infra/http.js";
import { createLogger, registerSecret } from "../../infra/logger.js";
import { resolveRetry } from "../kit.js";
import { createLazyAdapter } from "../lazy-adapter.js";
import type { RetryPolicy } from "../retry.js";
import type { ChannelAdapter, ChannelAdapterHooks, ChatType } from "../types.js";

export const SLACK_DEFAULT_API = "https://slack.com/api/";
const DEFAULT_WEBHOOK_PATH = "/slack/events";

export type SlackReplyToMode = (typeof SLACK_REPLY_TO_MODES)[number];

export interface SlackChannelOptions extends ChannelAdapterHooks {
  /** Bot token (xoxb-…); the caller resolves `SLACK_BOT_TOKEN`, then `channels.slack.botToken`. */
  botToken: string;
  /** App-Level Token (xapp-…) for Socket Mode; `SLACK_APP_TOKEN`, then `appToken`. */
  appToken?: string;
  mode?: "socket" | "http";
  signingSecret?: string;
  webhookPath?: string;
  /** Serves the events route on the gateway's HTTP port (HTTP mode). */
  registerRoute?: (route: HttpRoute) => () => void;
  accountId?: string;
  /** Web API base (`channels.slack.apiUrl`); Socket Mode gets its WebSocket URL from it too. */
  apiUrl?: string;
  /** 20-40000; checked by the config schema (channels.slack), not here. */
  textChunkLimit?: number;
  maxLinesPerMessage?: number;
  replyToMode?: SlackReplyToMode;
  replyToModeByChatType?: Partial<Record<ChatType, SlackReplyToMode>>;
  /** `channels.slack.channels.<id>.replyToMode`: per channel, over everything else. */
  channelReplyToMode?: Record<string, SlackReplyToMode>;
  /** `dm.groupEnabled` / `dm.groupChannels`: whether group DMs (MPIMs) are seen at all. */
  groupDms?: { enabled: boolean; channels?: string[] };
  unfurlLinks?: boolean;
  unfurlMedia?: boolean;
  /** Web API retries (`channels.slack.retry`); 429s wait `Retry-After` inside the SDK. */
  retry?: Partial<RetryPolicy>;
  /** Socket Mode: ms without a pong before the socket counts as dead (OpenClaw fixes it at 15 s). */
  pingTimeoutMs?: number;
  /** Socket Mode: first pause before reconnecting a dropped socket (doubling up to 30 s). */
  reconnectMinMs?: number;
}

/** Options after defaults and validation. */
export interface SlackSettings {
  botToken: string;
  accountId: string;
  apiUrl: string;
  transport: { mode: "socket"; appToken: string } | { mode: "http"; signingSecret: string; path: string };
  textChunkLimit: number;
  maxLinesPerMessage?: number;
  replyToMode: SlackReplyToMode;
  replyToModeByChatType: Partial<Record<ChatType, SlackReplyToMode>>;
  channelReplyToMode: Record<string, SlackReplyToMode>;
  groupDms: { enabled: boolean; channels?: string[] };
  unfurlLinks: boolean;
  unfurlMedia?: boolean;
  retry: RetryPolicy;
  pingTimeoutMs: number;
  reconnectMinMs: number;
}

/** OpenClaw's fixed Socket Mode pong timeout. */
const DEFAULT_PING_TIMEOUT_MS = 15_000;
/** OpenClaw's Socket Mode restart backoff starts around 2 s. */
const DEFAULT_RECONNECT_MIN_MS = 2000;

export function createSlackChannel(options: SlackChannelOptions): ChannelAdapter {
  const settings = resolveSettings(options);
  registerSecret(settings.botToken);
  const t = settings.transport;
  registerSecret(t.mode === "socket" ? t.appToken : t.signingSecret);
  const log = createLogger("slack");
  return createLazyAdapter("slack", async (setStatus) => {
    const { connectSlack } = await import("./connection.js");
    return connectSlack(settings, {
      log,
      onMessage: options.onMessage,
      setStatus,
      registerRoute: options.registerRoute,
    });
  });
}

function resolveSettings(options: SlackChannelOptions): SlackSettings {
  const botToken = options.botToken?.trim();
  if (!botToken) throw new Error("slack: no bot token; set SLACK_BOT_TOKEN or channels.slack.botToken");
  const apiUrl = options.apiUrl ?? SLACK_DEFAULT_API;
  return {
    botToken,
    accountId: options.accountId ?? "default",
    apiUrl: apiUrl.endsWith("/") ? apiUrl : `${apiUrl}/`,
    transport: resolveTransport(options),
    textChunkLimit: options.textChunkLimit ?? SLACK_DEFAULT_TEXT_CHUNK,
    ...(options.maxLinesPerMessage ? { maxLinesPerMessage: options.maxLinesPerMessage } : {}),
    replyToMode: options.replyToMode ?? "off",
    replyToModeByChatType: options.replyToModeByChatType ?? {},
    channelReplyToMode: options.channelReplyToMode ?? {},
    groupDms: options.groupDms ?? { enabled: false },
    unfurlLinks: options.unfurlLinks ?? false,
    ...(options.unfurlMedia !== undefined ? { unfurlMedia: options.unfurlMedia } : {}),
    retry: resolveRetry(options.retry),
    pingTimeoutMs: options.pingTimeoutMs ?? DEFAULT_PING_TIMEOUT_MS,
    reconnectMinMs: options.reconnectMinMs ?? DEFAULT_RECONNECT_MIN_MS,
  };
}

function resolveTransport(options: SlackChannelOptions): SlackSettings["transport"] {
  if (options.mode === "http") {
    const signingSecret = options.signingSecret?.trim();
    if (!signingSecret) {
      throw new Error(
        'slack: mode "http" needs channels.slack.signingSecret (Slack app → Basic Information)',
      );
    }
    if (!options.registerRoute) throw new Error("slack: HTTP mode needs the gateway's HTTP server");
    return { mode: "http", signingSecret, path: options.webhookPath ?? DEFAULT_WEBHOOK_PATH };
  }
  const appToken = options.appToken?.trim();
  if (!appToken) {
    throw new Error(
      'slack: Socket Mode needs an App-Level Token (xapp-…): set SLACK_APP_TOKEN or channels.slack.appToken, or use mode "http"',
    );
  }
  return { mode: "socket", appToken };
}

/** The threading mode for a message: the channel's own, then per chat type, then the account's. */
export function replyToModeFor(
  settings: SlackSettings,
  chatType: ChatType,
  channelId: string,
): SlackReplyToMode {
  return (
    settings.channelReplyToMode[channelId] ?? settings.replyToModeByChatType[chatType] ?? settings.replyToMode
  );
}
