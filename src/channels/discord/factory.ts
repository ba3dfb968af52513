import { resolveChannelToken } from "../../config/env-keys.js";
import type { ChannelSection } from "../registry.js";
import type { ChannelAdapter, ChannelFactoryContext } from "../types.js";
import { createDiscordChannel } from "./index.js";

/** `channels.discord` → the adapter; the token from DISCORD_BOT_TOKEN first, then the config. */
export async function createDiscordFromConfig(
  ctx: ChannelFactoryContext<ChannelSection<"discord">>,
): Promise<ChannelAdapter> {
  const token = resolveChannelToken(ctx.config, "discord", ctx.env).value;
  if (!token) {
    throw new Error(
      "discord is configured but has no token: set DISCORD_BOT_TOKEN (or channels.discord.token)",
    );
  }
  const s = ctx.section;
  const adapter: ChannelAdapter = createDiscordChannel({
    token,
    apiBaseUrl: s.apiBaseUrl,
    textChunkLimit: s.textChunkLimit,
    maxLinesPerMessage: s.maxLinesPerMessage,
    replyToMode: s.replyToMode,
    retry: s.retry,
    onMessage: (msg) => ctx.onMessage(adapter, msg),
  });
  return adapter;
}
