import { readFile } from "node:fs/promises";
import { resolveChannelToken } from "../../config/env-keys.js";
import { resolveUserPath } from "../../config/paths.js";
import type { ChannelSection } from "../registry.js";
import type { ChannelAdapter, ChannelFactoryContext } from "../types.js";
import { createTelegramChannel } from "./index.js";

/** `channels.telegram` → the adapter; the token from TELEGRAM_BOT_TOKEN, botToken, then tokenFile. */
export async function createTelegramFromConfig(
  ctx: ChannelFactoryContext<ChannelSection<"telegram">>,
): Promise<ChannelAdapter> {
  const s = ctx.section;
  let token = resolveChannelToken(ctx.config, "telegram", ctx.env).value;
  if (!token && s.tokenFile) {
    const file = resolveUserPath(s.tokenFile, ctx.env);
    token = (await readFile(file, "utf8").catch(() => "")).trim() || undefined;
    if (!token) throw new Error(`channels.telegram.tokenFile ${file} is missing or empty`);
  }
  if (!token) {
    throw new Error(
      "telegram is configured but has no token: set TELEGRAM_BOT_TOKEN (or channels.telegram.botToken)",
    );
  }
  const adapter: ChannelAdapter = createTelegramChannel({
    token,
    apiRoot: s.apiRoot,
    textChunkLimit: s.textChunkLimit,
    maxLinesPerMessage: s.maxLinesPerMessage,
    replyToMode: s.replyToMode,
    webhookUrl: s.webhookUrl,
    webhookSecret: s.webhookSecret,
    webhookPath: s.webhookPath,
    retry: s.retry,
    registerRoute: ctx.registerRoute,
    onMessage: (msg) => ctx.onMessage(adapter, msg),
  });
  return adapter;
}
