import { resolveChannelToken } from "../../config/env-keys.js";
import type { ChannelFactoryContext } from "../registry.js";
import type { ChannelAdapter } from "../types.js";
import { createDiscordChannel, type ReplyToMode } from "./index.js";

/** `channels.discord` → the adapter; the token from DISCORD_BOT_TOKEN first, then the config. */
export async function createDiscordFromConfig(
  ctx: ChannelFactoryContext,
): Promise<ChannelAdapter | undefined> {
  const token = resolveChannelToken(ctx.config, "discord", ctx.env).value;
  if (!token) {
    ctx.log.error(
      "discord is configured but has no token: set DISCORD_BOT_TOKEN (or channels.discord.token)",
    );
    return undefined;
  }
  const s = ctx.section;
  const adapter: ChannelAdapter = createDiscordChannel({
    token,
    apiBaseUrl: s.apiBaseUrl as string | undefined,
    textChunkLimit: s.textChunkLimit as number | undefined,
    maxLinesPerMessage: s.maxLinesPerMessage as number | undefined,
    replyToMode: s.replyToMode as ReplyToMode | undefined,
    onMessage: (msg) => ctx.onMessage(adapter, msg),
  });
  return adapter;
}
