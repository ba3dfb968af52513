import { readFile } from "node:fs/promises";
import { resolveChannelToken } from "../../config/env-keys.js";
import { resolveUserPath } from "../../config/paths.js";
import type { ChannelFactoryContext } from "../registry.js";
import type { ChannelAdapter } from "../types.js";
import { createTelegramChannel, type ReplyToMode, type TelegramChannelOptions } from "./index.js";

/** `channels.telegram` → the adapter; the token from TELEGRAM_BOT_TOKEN, botToken, then tokenFile. */
export async function createTelegramFromConfig(
  ctx: ChannelFactoryContext,
): Promise<ChannelAdapter | undefined> {
  const s = ctx.section;
  let token = resolveChannelToken(ctx.config, "telegram", ctx.env).value;
  if (!token && typeof s.tokenFile === "string") {
    const file = resolveUserPath(s.tokenFile, ctx.env);
    token = (await readFile(file, "utf8").catch(() => "")).trim() || undefined;
    if (!token) ctx.log.error(`channels.telegram.tokenFile ${file} is missing or empty`);
  }
  if (!token) {
    ctx.log.error(
      "telegram is configured but has no token: set TELEGRAM_BOT_TOKEN (or channels.telegram.botToken)",
    );
    return undefined;
  }
  if (s.proxy) ctx.log.warn("channels.telegram.proxy is not supported yet: connecting to Telegram directly");
  const retry = s.retry as TelegramChannelOptions["retry"] | undefined;
  try {
    const adapter: ChannelAdapter = createTelegramChannel({
      token,
      apiRoot: s.apiRoot as string | undefined,
      textChunkLimit: s.textChunkLimit as number | undefined,
      maxLinesPerMessage: s.maxLinesPerMessage as number | undefined,
      replyToMode: s.replyToMode as ReplyToMode | undefined,
      webhookUrl: s.webhookUrl as string | undefined,
      webhookSecret: s.webhookSecret as string | undefined,
      webhookPath: s.webhookPath as string | undefined,
      ...(retry ? { retry } : {}),
      registerRoute: ctx.registerRoute,
      onMessage: (msg) => ctx.onMessage(adapter, msg),
    });
    return adapter;
  } catch (err) {
    ctx.log.error((err as Error).message);
    return undefined;
  }
}
