/**
 * The live Discord connection: @discordjs/rest for REST (429 buckets), @discordjs/ws for
 * the gateway (heartbeats, reconnect and RESUME), @discordjs/core for the typed API.
 * Loaded only when the channel starts.
 */
import { API, GatewayDispatchEvents, type GatewayDispatchPayload, GatewayIntentBits } from "@discordjs/core";
import { REST } from "@discordjs/rest";
import { type SessionInfo, WebSocketManager, WebSocketShardEvents } from "@discordjs/ws";
import { type ConnectionHooks, connectBackoffMs, createStartGate, type StartGate } from "../kit.js";
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
  // retries: 0 — transient send failures are retried with backoff by outbound.ts (one policy);
  // 429s are handled by the library regardless.
  const rest = new REST({ api: settings.apiBaseUrl, retries: 0 }).setToken(settings.token);
  const api = new API(rest);
  const manager = createShardManager(settings, rest);
  const dmChannels = new Map<string, string>();
  const live: LiveState = { guilds: new Set(), stopped: false };
  const gate = createStartGate(hooks);

  const inbound = createInboundMapper({
    accountId: settings.accountId,
    botId: () => live.bot?.id,
    fetchChannel: (id) => api.channels.get(id),
    rememberDmChannel: (userId, channelId) => dmChannels.set(userId, channelId),
  });
  const sender = createSender({ api, settings, log: hooks.log, dmChannels });
  const ctx: DiscordContext = { settings, hooks, manager, gate, live, inbound };

  wireShardEvents(ctx);
  void connectWithBackoff(ctx);

  return {
    started: gate.started,
    send: (out) => sender.send(out),
    sendTyping: (target) => sender.sendTyping(target),
    async stop() {
      live.stopped = true;
      gate.settle();
      await manager.destroy();
    },
  };
}

/** What the gateway told us about ourselves, and whether stop() was called. */
interface LiveState {
  bot?: { id: string; name: string };
  guilds: Set<string>;
  stopped: boolean;
}

interface DiscordContext {
  settings: DiscordSettings;
  hooks: ConnectionHooks;
  manager: WebSocketManager;
  gate: StartGate;
  live: LiveState;
  inbound: ReturnType<typeof createInboundMapper>;
}

function createShardManager(settings: DiscordSettings, rest: REST): WebSocketManager {
  // Sessions kept per connection (the library's default store is process-wide).
  const sessions = new Map<number, SessionInfo>();
  return new WebSocketManager({
    token: settings.token,
    intents: INTENTS,
    rest,
    retrieveSessionInfo: (shardId) => sessions.get(shardId) ?? null,
    updateSessionInfo: (shardId, info) => {
      if (info) sessions.set(shardId, info);
      else sessions.delete(shardId);
    },
  });
}

function wireShardEvents(ctx: DiscordContext): void {
  const { manager, gate, live } = ctx;
  const { log, setStatus } = ctx.hooks;
  manager.on(WebSocketShardEvents.Dispatch, (payload) => {
    onDispatch(ctx, payload).catch((err: Error) => log.error(`handling ${payload.t} failed: ${err.message}`));
  });
  manager.on(WebSocketShardEvents.Closed, (code) => {
    if (live.stopped) return;
    const fatal = FATAL_CLOSE[code];
    if (fatal) return void gate.fail(fatal);
    if (!gate.failed) setStatus({ state: "connecting", connected: false });
    log.debug(`gateway closed with code ${code}; the library reconnects`);
  });
  manager.on(WebSocketShardEvents.Error, (err) => {
    if (!gate.failed && !live.stopped) {
      log.warn(`gateway error: ${err.message}`);
      setStatus({ lastError: err.message });
    }
  });
}

async function onDispatch(ctx: DiscordContext, payload: GatewayDispatchPayload): Promise<void> {
  const { live, inbound } = ctx;
  const { log, setStatus } = ctx.hooks;
  switch (payload.t) {
    case GatewayDispatchEvents.Ready:
      live.bot = { id: payload.d.user.id, name: payload.d.user.username };
      for (const g of payload.d.guilds) live.guilds.add(g.id);
      log.info(`logged in to discord as ${live.bot.name}`);
      setStatus({
        state: "ready",
        connected: true,
        botId: live.bot.id,
        botName: live.bot.name,
        guildCount: live.guilds.size,
        lastError: undefined,
      });
      ctx.gate.settle();
      return;
    case GatewayDispatchEvents.Resumed:
      log.info("gateway session resumed");
      setStatus({ state: "ready", connected: true, lastError: undefined });
      return;
    case GatewayDispatchEvents.GuildCreate:
      live.guilds.add(payload.d.id);
      inbound.learnGuild(payload.d);
      setStatus({ guildCount: live.guilds.size });
      return;
    case GatewayDispatchEvents.GuildDelete:
      // `unavailable` means an outage, not that the bot left.
      if (!payload.d.unavailable) live.guilds.delete(payload.d.id);
      setStatus({ guildCount: live.guilds.size });
      return;
    case GatewayDispatchEvents.ChannelCreate:
    case GatewayDispatchEvents.ChannelUpdate:
    case GatewayDispatchEvents.ThreadCreate:
    case GatewayDispatchEvents.ThreadUpdate:
      inbound.learnChannel(payload.d as Parameters<typeof inbound.learnChannel>[0]);
      return;
    case GatewayDispatchEvents.MessageCreate: {
      const message = await inbound.toInbound(payload.d);
      if (message) await ctx.hooks.onMessage(message);
      return;
    }
  }
}

/** The first connection; the library handles every reconnect after it. */
async function connectWithBackoff(ctx: DiscordContext): Promise<void> {
  const { manager, gate, live, settings } = ctx;
  const { log, setStatus } = ctx.hooks;
  for (let attempt = 1; !live.stopped && !gate.failed; attempt++) {
    try {
      // Resolves at READY; hangs if a fatal close comes first (then `fail` has settled `started`).
      await manager.connect();
      return;
    } catch (err) {
      // A fatal close makes the library reject connect() too: already reported.
      if (gate.failed || live.stopped) return;
      const status = (err as { status?: unknown }).status;
      if (status === 401) return void gate.fail(FATAL_CLOSE[4004]!);
      const delay = connectBackoffMs(attempt);
      const reason = `cannot reach Discord at ${settings.apiBaseUrl}: ${(err as Error).message}`;
      log.warn(`${reason}; retrying in ${Math.round(delay / 1000)} s`);
      setStatus({ state: "connecting", connected: false, lastError: reason });
      gate.settle(); // start() returns; connecting goes on in the background.
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
