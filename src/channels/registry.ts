import type { z } from "zod";
import { CHANNEL_SECTIONS } from "../config/schema/channels.js";
import type { ChannelFactory } from "./types.js";

export type BuiltinChannelName = keyof typeof CHANNEL_SECTIONS;

/** The typed `channels.<name>` section a built-in channel's factory receives. */
export type ChannelSection<N extends BuiltinChannelName> = z.output<ReturnType<(typeof CHANNEL_SECTIONS)[N]>>;

/** One built-in chat channel: its name, its section's schema, and its adapter factory. */
export interface ChannelDefinition<N extends BuiltinChannelName = BuiltinChannelName> {
  name: N;
  /** The section's schema, built on first call (a channel not configured never builds it). */
  section: (typeof CHANNEL_SECTIONS)[N];
  create: ChannelFactory<ChannelSection<N>>;
}

/**
 * Each built-in channel's factory. The mapped type requires one per section schema in
 * config/schema/channels.ts, so a channel cannot be configurable without a factory (or
 * the reverse). Each factory module is imported only when its channel starts, so a
 * disabled channel costs no memory.
 */
const CREATE: { [N in BuiltinChannelName]: ChannelFactory<ChannelSection<N>> } = {
  discord: async (ctx) => (await import("./discord/factory.js")).createDiscordFromConfig(ctx),
  telegram: async (ctx) => (await import("./telegram/factory.js")).createTelegramFromConfig(ctx),
  whatsapp: async (ctx) => (await import("./whatsapp/factory.js")).createWhatsAppFromConfig(ctx),
  signal: async (ctx) => (await import("./signal/factory.js")).createSignalFromConfig(ctx),
  slack: async (ctx) => (await import("./slack/factory.js")).createSlackFromConfig(ctx),
};

function define<N extends BuiltinChannelName>(name: N): ChannelDefinition<N> {
  return { name, section: CHANNEL_SECTIONS[name], create: CREATE[name] };
}

/** Every built-in chat channel, in the order they are reported: the one list of their names. */
export const BUILTIN_CHANNELS: readonly ChannelDefinition[] = (
  Object.keys(CHANNEL_SECTIONS) as BuiltinChannelName[]
).map((name) => define(name) as unknown as ChannelDefinition);

export const BUILTIN_CHANNEL_NAMES: readonly string[] = BUILTIN_CHANNELS.map((c) => c.name);
