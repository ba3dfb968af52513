import { channelSecretSources, resolveChannelSecret, resolveChannelToken } from "../../config/env-keys.js";
import type { ChannelSection } from "../registry.js";
import type { ChannelAdapter, ChannelFactoryContext } from "../types.js";
import { createSlackChannel, type SlackReplyToMode } from "./index.js";

/** `channels.slack` → the adapter; tokens from SLACK_BOT_TOKEN / SLACK_APP_TOKEN first, then the config. */
export async function createSlackFromConfig(
  ctx: ChannelFactoryContext<ChannelSection<"slack">>,
): Promise<ChannelAdapter> {
  const s = ctx.section;
  const botToken = resolveChannelToken(ctx.config, "slack", ctx.env).value;
  if (!botToken) {
    throw new Error(
      "slack is configured but has no bot token: set SLACK_BOT_TOKEN (or channels.slack.botToken)",
    );
  }
  const appToken = resolveChannelSecret(ctx.config, channelSecretSources.slackApp, ctx.env).value;
  const channelReplyToMode: Record<string, SlackReplyToMode> = {};
  for (const [id, room] of Object.entries(s.channels ?? {})) {
    if (room.replyToMode) channelReplyToMode[id] = room.replyToMode;
  }
  const byChatType = { ...s.replyToModeByChatType };
  // OpenClaw's legacy place for the DM mode.
  if (!byChatType.direct && s.dm?.replyToMode) byChatType.direct = s.dm.replyToMode;
  const adapter: ChannelAdapter = createSlackChannel({
    botToken,
    appToken,
    mode: s.mode,
    signingSecret: s.signingSecret,
    webhookPath: s.webhookPath,
    registerRoute: ctx.registerRoute,
    apiUrl: s.apiUrl,
    textChunkLimit: s.textChunkLimit,
    maxLinesPerMessage: s.maxLinesPerMessage,
    replyToMode: s.replyToMode,
    replyToModeByChatType: byChatType,
    channelReplyToMode,
    groupDms: { enabled: s.dm?.groupEnabled === true, channels: s.dm?.groupChannels },
    unfurlLinks: s.unfurlLinks,
    unfurlMedia: s.unfurlMedia,
    retry: s.retry,
    onMessage: (msg) => ctx.onMessage(adapter, msg),
  });
  return adapter;
}
