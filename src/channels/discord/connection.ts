/**
 * The live Discord connection: @discordjs/rest for REST (429 buckets), @discordjs/ws for
 * the gateway (heartbeats, reconnect and RESUME), @discordjs/core for the typed API.
 * Loaded only when the channel starts.
 */
import { API, GatewayDispatchEvents, type GatewayDispatchPayload, GatewayIntentBits } from "@discordjs/core";
import { REST } from "@discordjs/rest";
import { type SessionInfo, WebSocketManager, WebSocketShardEvents } from "@discordjs/ws";
import { type ConnectionHooks, connectBackoffMs, createStartGate } from "../kit.js";
import type { OutboundMessage } from "../types.js";
import { createInboundMapper } from "./inbound.js";
import type { DiscordSettings } from "./index.js";
import { createSender } from "./outbound.js";

const INTENTS =
  GatewayIntentBits.Guilds |
  GatewayIntentBits.GuildMessages |
  GatewayIntentBits.DirectMessages |
  GatewayIntentBits.MessageContent;

/** Close codes after which reconnecting cannot help: the user has to change something. */
const FATAL_CLOSE: Record<number, string> = {
  4004: "Discord rejected the bot token: in the Discord Developer Portal open your application → Bot, press Reset Token, and set the new token as DISCORD_BOT_TOKEN (or channels.discord.token), then restart the gateway.",
  4014: 'Discord refused the connection because the Message Content intent is not enabled: in the Discord Developer Portal open your application → Bot → Privileged Gateway Intents, enable "Message Content Intent", save, then restart the gateway.',
  4013: "Discord rejected the gateway intents as invalid; this is a bug, please report it.",
  4012: "Discord rejected the gateway API version; this is a bug, please report it.",
  4011: "Discord requires sharding for this bot (too many guilds), which is not supported yet.",
  4010: "Discord rejected the shard settings; this is a bug, please report it.",
};

export interface DiscordConnection {
  /** Settles once ready, failed for good, or after a first failed attempt (never rejects). */
  started: Promise<void>;
  send(out: OutboundMessage): Promise<{ messageIds: string[] }>;
  sendTyping: ReturnType<typeof createSender>["sendTyping"];
  stop(): Promise<void>;
}

export function connectDiscord(settings: DiscordSettings, hooks: ConnectionHooks): DiscordConnection {
  const { log, setStatus } = hooks;
  // retries: 0 — transient send failures are retried with backoff by outbound.ts (one policy);
  // 429s are handled by the library regardless.
  const rest = new REST({ api: settings.apiBaseUrl, retries: 0 }).setToken(settings.token);
  const api = new API(rest);
  // Sessions kept per connection (the library's default store is process-wide).
  const sessions = new Map<number, SessionInfo>();
  const manager = new WebSocketManager({
    token: settings.token,
    intents: INTENTS,
    rest,
    retrieveSessionInfo: (shardId) => sessions.get(shardId) ?? null,
    updateSessionInfo: (shardId, info) => {
      if (info) sessions.set(shardId, info);
      else sessions.delete(shardId);
    },
  });
  const dmChannels = new Map<string, string>();
  const guilds = new Set<string>();
  let bot: { id: string; name: string } | undefined;
  let stopped = false;
  const gate = createStartGate(hooks);
  const { started, settle } = gate;

  const inbound = createInboundMapper({
    accountId: settings.accountId,
    botId: () => bot?.id,
    fetchChannel: (id) => api.channels.get(id),
    rememberDmChannel: (userId, channelId) => dmChannels.set(userId, channelId),
  });
  const sender = createSender({ api, settings, log, dmChannels });

  const fail = (sentence: string) => void gate.fail(sentence);

  async function onDispatch(payload: GatewayDispatchPayload): Promise<void> {
    switch (payload.t) {
      case GatewayDispatchEvents.Ready:
        bot = { id: payload.d.user.id, name: payload.d.user.username };
        for (const g of payload.d.guilds) guilds.add(g.id);
        log.info(`logged in to discord as ${bot.name}`);
        setStatus({
          state: "ready",
          connected: true,
          botId: bot.id,
          botName: bot.name,
          guildCount: guilds.size,
          lastError: undefined,
        });
        settle();
        return;
      case GatewayDispatchEvents.Resumed:
        log.info("gateway session resumed");
        setStatus({ state: "ready", connected: true, lastError: undefined });
        return;
      case GatewayDispatchEvents.GuildCreate:
        guilds.add(payload.d.id);
        inbound.learnGuild(payload.d);
        setStatus({ guildCount: guilds.size });
        return;
      case GatewayDispatchEvents.GuildDelete:
        // `unavailable` means an outage, not that the bot left.
        if (!payload.d.unavailable) guilds.delete(payload.d.id);
        setStatus({ guildCount: guilds.size });
        return;
      case GatewayDispatchEvents.ChannelCreate:
      case GatewayDispatchEvents.ChannelUpdate:
      case GatewayDispatchEvents.ThreadCreate:
      case GatewayDispatchEvents.ThreadUpdate:
        inbound.learnChannel(payload.d as Parameters<typeof inbound.learnChannel>[0]);
        return;
      case GatewayDispatchEvents.MessageCreate: {
        const message = await inbound.toInbound(payload.d);
        if (message) await hooks.onMessage(message);
        return;
      }
    }
  }

  manager.on(WebSocketShardEvents.Dispatch, (payload) => {
    onDispatch(payload).catch((err: Error) => log.error(`handling ${payload.t} failed: ${err.message}`));
  });
  manager.on(WebSocketShardEvents.Closed, (code) => {
    if (stopped) return;
    const fatal = FATAL_CLOSE[code];
    if (fatal) return fail(fatal);
    if (!gate.failed) setStatus({ state: "connecting", connected: false });
    log.debug(`gateway closed with code ${code}; the library reconnects`);
  });
  manager.on(WebSocketShardEvents.Error, (err) => {
    if (!gate.failed && !stopped) {
      log.warn(`gateway error: ${err.message}`);
      setStatus({ lastError: err.message });
    }
  });

  void connectWithBackoff();

  /** The first connection; the library handles every reconnect after it. */
  async function connectWithBackoff(): Promise<void> {
    for (let attempt = 1; !stopped && !gate.failed; attempt++) {
      try {
        // Resolves at READY; hangs if a fatal close comes first (then `fail` has settled `started`).
        await manager.connect();
        return;
      } catch (err) {
        // A fatal close makes the library reject connect() too: already reported.
        if (gate.failed || stopped) return;
        const status = (err as { status?: unknown }).status;
        if (status === 401) return fail(FATAL_CLOSE[4004]!);
        const delay = connectBackoffMs(attempt);
        const reason = `cannot reach Discord at ${settings.apiBaseUrl}: ${(err as Error).message}`;
        log.warn(`${reason}; retrying in ${Math.round(delay / 1000)} s`);
        setStatus({ state: "connecting", connected: false, lastError: reason });
        settle(); // start() returns; connecting goes on in the background.
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  return {
    started,
    send: (out) => sender.send(out),
    sendTyping: (target) => sender.sendTyping(target),
    async stop() {
      stopped = true;
      settle();
      await manager.destroy();
    },
  };
}
