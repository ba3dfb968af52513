import type { OpenClawConfig } from "../config/schema.js";
import type { HttpRoute } from "../infra/http.js";
import type { Logger } from "../infra/logger.js";
import type { ChannelAdapter, InboundMessage } from "./types.js";

/** What a channel factory gets: its config section and where to hand inbound messages. */
export interface ChannelFactoryContext {
  config: OpenClawConfig;
  /** `channels.<name>` of the config. */
  section: Record<string, unknown>;
  env: NodeJS.ProcessEnv;
  stateDir: string;
  log: Logger;
  onMessage(adapter: ChannelAdapter, message: InboundMessage): void;
  /** Serves a route on the gateway's HTTP port (webhooks); returns the function that removes it. */
  registerRoute(route: HttpRoute): () => void;
}

/** Builds the adapter from config, or logs why it cannot (missing token…) and returns undefined. */
export type ChannelFactory = (ctx: ChannelFactoryContext) => Promise<ChannelAdapter | undefined>;

/**
 * Every chat channel, in the order they are reported. Each factory module is imported
 * only when its channel is enabled, so a disabled channel costs no memory.
 */
export const CHANNEL_FACTORIES: Record<string, ChannelFactory> = {
  discord: async (ctx) => (await import("./discord/factory.js")).createDiscordFromConfig(ctx),
  telegram: async (ctx) => (await import("./telegram/factory.js")).createTelegramFromConfig(ctx),
  whatsapp: async (ctx) => (await import("./whatsapp/factory.js")).createWhatsAppFromConfig(ctx),
  signal: async (ctx) => (await import("./signal/factory.js")).createSignalFromConfig(ctx),
};
