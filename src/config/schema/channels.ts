import { z } from "zod";
import {
  allowFrom,
  dmPolicy,
  groupPolicy,
  httpUrl,
  looseRecord,
  MIN_SECRET_LENGTH,
  nonNegativeInt,
  positiveInt,
  replyToMode,
  requireWildcardForOpenDm,
  SECRET_GENERATOR_HINT,
  stringList,
} from "./common.js";

/** Keys every chat channel shares (and each of its `accounts.<id>` may override). */
const channelCommon = {
  enabled: z.boolean().optional().describe("set false to keep the section but not start the channel"),
  name: z.string().optional().describe("display name of this account"),
  dmPolicy: dmPolicy.optional(),
  allowFrom: allowFrom.optional(),
  groupPolicy: groupPolicy.optional(),
  groupAllowFrom: allowFrom.optional().describe("senders allowed to trigger the bot in groups"),
  historyLimit: nonNegativeInt.optional().describe("group messages kept as context (0 disables)"),
  dmHistoryLimit: nonNegativeInt.optional(),
  textChunkLimit: positiveInt.optional().describe("longest outbound message in characters before splitting"),
  chunkMode: z.enum(["length", "newline"]).optional().describe("where long replies are split"),
  maxLinesPerMessage: positiveInt.optional().describe("split replies longer than this many lines"),
  replyToMode: replyToMode.optional(),
  streaming: z
    .union([z.boolean(), z.enum(["off", "partial", "block", "progress"])])
    .optional()
    .describe("stream partial replies by editing a message: off, partial, block or progress"),
  blockStreaming: z.boolean().optional(),
  mediaMaxMb: z.number().positive().optional().describe("largest media attachment accepted, in MB"),
  configWrites: z.boolean().optional().describe("allow /config and channel events to write openclaw.json"),
  reactionNotifications: z.enum(["off", "own", "all", "allowlist"]).optional(),
  responsePrefix: z.string().optional(),
  ackReaction: z.string().optional(),
  commands: looseRecord.optional().describe("per-channel chat command settings"),
  actions: looseRecord.optional().describe("which message actions (reactions, pins…) tools may use"),
  retry: looseRecord.optional().describe("outbound retry policy"),
  heartbeat: looseRecord.optional(),
};

const requireMention = z.boolean().optional().describe("answer only when mentioned (default true in groups)");
const userList = z.array(z.union([z.string(), z.number()]));

const discordGuildChannel = z.strictObject({
  allow: z.boolean().optional().describe("answer in this channel (guilds on an allowlist)"),
  enabled: z.boolean().optional(),
  requireMention,
  users: userList.optional().describe("only these user ids may trigger the bot here"),
  skills: stringList.optional(),
  systemPrompt: z.string().optional(),
  tools: looseRecord.optional(),
  autoThread: z.boolean().optional(),
});

const discordGuild = z.strictObject({
  slug: z.string().optional().describe("the guild's slug, for readability"),
  requireMention,
  ignoreOtherMentions: z.boolean().optional(),
  reactionNotifications: z.enum(["off", "own", "all", "allowlist"]).optional(),
  users: userList.optional().describe("only these user ids may trigger the bot in this guild"),
  roles: userList.optional(),
  channels: z
    .record(z.string(), discordGuildChannel)
    .optional()
    .describe("per channel (slugged name without #, or channel id) settings"),
  tools: looseRecord.optional(),
});

const discordAccount = {
  ...channelCommon,
  token: z
    .string()
    .optional()
    .describe("bot token; DISCORD_BOT_TOKEN wins for the default account (prefer the env var)"),
  apiBaseUrl: httpUrl
    .optional()
    .describe("Discord REST API base URL (for proxies and tests); default https://discord.com/api/v10"),
  allowBots: z.union([z.boolean(), z.literal("mentions")]).optional(),
  dm: z
    .strictObject({
      enabled: z.boolean().optional(),
      groupEnabled: z.boolean().optional(),
      groupChannels: stringList.optional(),
      policy: dmPolicy.optional(),
      allowFrom: allowFrom.optional(),
    })
    .optional(),
  guilds: z
    .record(z.string(), discordGuild)
    .optional()
    .describe("per guild (id preferred, or slug) settings; with groupPolicy allowlist only these guilds"),
  threadBindings: looseRecord.optional(),
  voice: looseRecord.optional(),
  intents: looseRecord.optional(),
};

export const discordChannel = requireWildcardForOpenDm(
  z.strictObject({
    ...discordAccount,
    accounts: z
      .record(z.string(), requireWildcardForOpenDm(z.strictObject(discordAccount)))
      .optional()
      .describe("extra bot accounts by id; `default` is used when no account is named"),
    defaultAccount: z.string().optional(),
  }),
);

const telegramGroup = z.strictObject({
  requireMention,
  enabled: z.boolean().optional(),
  allowFrom: allowFrom.optional(),
  systemPrompt: z.string().optional(),
  skills: stringList.optional(),
  topics: z.record(z.string(), looseRecord).optional(),
  tools: looseRecord.optional(),
});

const telegramAccount = {
  ...channelCommon,
  botToken: z.string().optional().describe("bot token from @BotFather; TELEGRAM_BOT_TOKEN wins"),
  tokenFile: z.string().optional().describe("file holding the bot token"),
  apiRoot: httpUrl.optional().describe("Bot API base URL (for a local Bot API server or tests)"),
  webhookUrl: httpUrl
    .optional()
    .describe("public URL for webhook mode, served on the gateway port (long polling when unset)"),
  webhookSecret: z
    .string()
    .regex(
      new RegExp(`^[A-Za-z0-9_-]{${MIN_SECRET_LENGTH},256}$`),
      `must be ${MIN_SECRET_LENGTH}-256 characters of A-Z, a-z, 0-9, _ or - (${SECRET_GENERATOR_HINT})`,
    )
    .optional()
    .describe("required with webhookUrl: secret Telegram sends in X-Telegram-Bot-Api-Secret-Token"),
  webhookPath: z
    .string()
    .optional()
    .describe("path served on the gateway port; default: the path of webhookUrl, else /telegram-webhook"),
  proxy: z.string().optional(),
  groups: z
    .record(z.string(), telegramGroup)
    .optional()
    .describe('per group (chat id, or "*" for all) settings'),
  customCommands: z.array(looseRecord).optional(),
};

export const telegramChannel = requireWildcardForOpenDm(
  z.strictObject({
    ...telegramAccount,
    accounts: z.record(z.string(), requireWildcardForOpenDm(z.strictObject(telegramAccount))).optional(),
    defaultAccount: z.string().optional(),
  }),
);

const whatsappGroup = z.strictObject({
  requireMention,
  enabled: z.boolean().optional(),
  allowFrom: allowFrom.optional(),
  systemPrompt: z.string().optional(),
});

const whatsappAccount = {
  ...channelCommon,
  authDir: z.string().optional().describe("where the linked session's credentials are kept"),
  groups: z.record(z.string(), whatsappGroup).optional().describe('per group (JID, or "*") settings'),
  sendReadReceipts: z.boolean().optional(),
  selfChatMode: z.boolean().optional(),
};

export const whatsappChannel = requireWildcardForOpenDm(
  z.strictObject({
    ...whatsappAccount,
    accounts: z.record(z.string(), requireWildcardForOpenDm(z.strictObject(whatsappAccount))).optional(),
    defaultAccount: z.string().optional(),
  }),
);

const signalAccount = {
  ...channelCommon,
  account: z
    .string()
    .regex(/^\+[1-9]\d{6,14}$/, "must be a phone number in E.164 form, e.g. +15551234567")
    .optional()
    .describe("the Signal number the bot runs as (E.164)"),
  httpUrl: httpUrl.optional().describe("signal-cli JSON-RPC/HTTP daemon URL"),
  cliPath: z.string().optional().describe("path of the signal-cli executable"),
  groups: z.record(z.string(), whatsappGroup).optional(),
};

export const signalChannel = requireWildcardForOpenDm(
  z.strictObject({
    ...signalAccount,
    accounts: z.record(z.string(), requireWildcardForOpenDm(z.strictObject(signalAccount))).optional(),
    defaultAccount: z.string().optional(),
  }),
);

export const channelsSchema = z
  .strictObject({
    defaults: z
      .strictObject({
        groupPolicy: groupPolicy.optional(),
        dmPolicy: dmPolicy.optional(),
        heartbeat: looseRecord.optional(),
      })
      .optional()
      .describe("fallbacks for every channel"),
    modelByChannel: z
      .record(z.string(), z.record(z.string(), z.string()))
      .optional()
      .describe("pin a model per channel id: modelByChannel.<channel>.<channelId> = provider/model"),
    discord: discordChannel.optional().describe("Discord bot"),
    telegram: telegramChannel.optional().describe("Telegram bot"),
    whatsapp: whatsappChannel.optional().describe("WhatsApp (linked device)"),
    signal: signalChannel.optional().describe("Signal (signal-cli)"),
    // Channels other modules or plugins own validate their own keys.
    slack: looseRecord.optional(),
    imessage: looseRecord.optional(),
    bluebubbles: looseRecord.optional(),
    msteams: looseRecord.optional(),
    googlechat: looseRecord.optional(),
    mattermost: looseRecord.optional(),
    matrix: looseRecord.optional(),
    irc: looseRecord.optional(),
    line: looseRecord.optional(),
    nostr: looseRecord.optional(),
    feishu: looseRecord.optional(),
    zalo: looseRecord.optional(),
    twitch: looseRecord.optional(),
  })
  .describe("chat app connections; a channel starts when its section exists (unless enabled: false)");
