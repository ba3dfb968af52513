import { z } from "zod";
import {
  allowFrom,
  compatOnly,
  dmPolicy,
  groupPolicy,
  httpUrl,
  looseRecord,
  MIN_SECRET_LENGTH,
  nonNegativeInt,
  positiveInt,
  replyToMode,
  requireWildcardForOpenDm,
  retryPolicy,
  SECRET_GENERATOR_HINT,
  stringList,
} from "./common.js";
import { lazySchema, lazyStrictObject } from "./lazy.js";
import { checkSlackSection, SLACK_MAX_TEXT, slackAccountShape } from "./slack.js";

/**
 * Shortest outbound chunk: below this a reply splits into a flood of messages
 * (every chat app's own limit is far above it).
 */
const MIN_TEXT_CHUNK = 20;

/** `textChunkLimit`: from MIN_TEXT_CHUNK up to the chat app's own per-message limit. */
function textChunkLimit(max?: number) {
  const base = z.number().int().min(MIN_TEXT_CHUNK);
  return (max === undefined ? base : base.max(max))
    .optional()
    .describe(
      `longest outbound message in characters before splitting (${MIN_TEXT_CHUNK}${max === undefined ? " or more" : `-${max}`})`,
    );
}

/** Keys every chat channel shares (and each of its `accounts.<id>` may override). */
function channelCommon(textChunkMax?: number) {
  return {
    enabled: z.boolean().optional().describe("set false to keep the section but not start the channel"),
    name: compatOnly(z.string().optional(), "display name of this account"),
    dmPolicy: dmPolicy().optional(),
    allowFrom: allowFrom().optional(),
    groupPolicy: groupPolicy().optional(),
    groupAllowFrom: compatOnly(allowFrom().optional(), "senders allowed to trigger the bot in groups"),
    historyLimit: compatOnly(nonNegativeInt.optional(), "group messages kept as context (0 disables)"),
    dmHistoryLimit: compatOnly(nonNegativeInt.optional(), "DM messages kept as context"),
    textChunkLimit: textChunkLimit(textChunkMax),
    chunkMode: compatOnly(z.enum(["length", "newline"]).optional(), "where long replies are split"),
    maxLinesPerMessage: positiveInt.optional().describe("split replies longer than this many lines"),
    replyToMode: replyToMode().optional(),
    streaming: compatOnly(
      z.union([z.boolean(), z.enum(["off", "partial", "block", "progress"]), looseRecord]).optional(),
      "stream partial replies by editing a message: off, partial, block or progress, or { mode, preview, block, progress }",
    ),
    blockStreaming: compatOnly(z.boolean().optional(), "send a reply in blocks as it is written"),
    mediaMaxMb: compatOnly(z.number().positive().optional(), "largest media attachment accepted, in MB"),
    configWrites: compatOnly(
      z.boolean().optional(),
      "allow /config and channel events to write openclaw.json",
    ),
    reactionNotifications: compatOnly(
      z.enum(["off", "own", "all", "allowlist"]).optional(),
      "which reactions are reported to the agent",
    ),
    responsePrefix: compatOnly(z.string().optional(), "text put before every reply"),
    ackReaction: compatOnly(z.string().optional(), "emoji reacted on a message when work starts"),
    commands: compatOnly(looseRecord.optional(), "per-channel chat command settings"),
    actions: compatOnly(looseRecord.optional(), "which message actions (reactions, pins…) tools may use"),
    retry: retryPolicy().optional(),
    heartbeat: compatOnly(looseRecord.optional(), "per-channel heartbeat delivery settings"),
  };
}

/** `accounts` / `defaultAccount`: only the default account runs so far. */
function extraAccounts<T extends z.ZodType>(account: T) {
  return {
    accounts: compatOnly(
      z.record(z.string(), account).optional(),
      "extra bot accounts by id; `default` is used when no account is named",
    ),
    defaultAccount: compatOnly(z.string().optional(), "the account used when none is named"),
  };
}

const requireMention = lazySchema("channels.requireMention", () =>
  z.boolean().optional().describe("answer only when mentioned (default true in groups)"),
);
const userList = lazySchema("channels.userList", () => z.array(z.union([z.string(), z.number()])));

const discordGuildChannel = lazySchema("channels.discordGuildChannel", () =>
  z.strictObject({
    allow: z.boolean().optional().describe("answer in this channel (guilds on an allowlist)"),
    enabled: z.boolean().optional(),
    requireMention: requireMention(),
    users: userList().optional().describe("only these user ids may trigger the bot here"),
    skills: compatOnly(stringList.optional(), "skills offered in this channel"),
    systemPrompt: compatOnly(z.string().optional(), "extra system prompt for this channel"),
    tools: compatOnly(looseRecord.optional(), "tool policy for this channel"),
    autoThread: compatOnly(z.boolean().optional(), "answer in a new thread"),
  }),
);

const discordGuild = lazySchema("channels.discordGuild", () =>
  z.strictObject({
    slug: z.string().optional().describe("the guild's slug, for readability"),
    requireMention: requireMention(),
    ignoreOtherMentions: compatOnly(z.boolean().optional(), "ignore messages that mention someone else"),
    reactionNotifications: compatOnly(
      z.enum(["off", "own", "all", "allowlist"]).optional(),
      "which reactions are reported to the agent",
    ),
    users: userList().optional().describe("only these user ids may trigger the bot in this guild"),
    roles: compatOnly(userList().optional(), "only members with these role ids may trigger the bot"),
    channels: z
      .record(z.string(), discordGuildChannel())
      .optional()
      .describe("per channel (slugged name without #, or channel id) settings"),
    tools: compatOnly(looseRecord.optional(), "tool policy for this guild"),
  }),
);

/** Discord's limit for one message's content. */
const DISCORD_MAX_TEXT = 2000;
/** Telegram's limit for one message's text (after entity parsing). */
export const TELEGRAM_MAX_TEXT = 4096;

const discordAccount = lazySchema("channels.discordAccount", () => ({
  ...channelCommon(DISCORD_MAX_TEXT),
  token: z
    .string()
    .optional()
    .describe("bot token; DISCORD_BOT_TOKEN wins for the default account (prefer the env var)"),
  apiBaseUrl: httpUrl()
    .optional()
    .describe("Discord REST API base URL (for proxies and tests); default https://discord.com/api/v10"),
  allowBots: z.union([z.boolean(), z.literal("mentions")]).optional(),
  dm: z
    .strictObject({
      enabled: z.boolean().optional(),
      groupEnabled: compatOnly(z.boolean().optional(), "answer in group DMs"),
      groupChannels: compatOnly(stringList.optional(), "group DMs answered in"),
      policy: dmPolicy().optional(),
      allowFrom: allowFrom().optional(),
    })
    .optional(),
  guilds: z
    .record(z.string(), discordGuild())
    .optional()
    .describe("per guild (id preferred, or slug) settings; with groupPolicy allowlist only these guilds"),
  threadBindings: compatOnly(looseRecord.optional(), "bind threads to sessions"),
  voice: compatOnly(looseRecord.optional(), "Discord voice channel settings"),
  intents: compatOnly(looseRecord.optional(), "extra gateway intents"),
}));

const discordChannel = () =>
  requireWildcardForOpenDm(
    z.strictObject({
      ...discordAccount(),
      ...extraAccounts(requireWildcardForOpenDm(z.strictObject(discordAccount()))),
    }),
  );

const telegramGroup = lazySchema("channels.telegramGroup", () =>
  z.strictObject({
    requireMention: requireMention(),
    enabled: z.boolean().optional(),
    allowFrom: allowFrom().optional(),
    systemPrompt: compatOnly(z.string().optional(), "extra system prompt for this group"),
    skills: compatOnly(stringList.optional(), "skills offered in this group"),
    topics: compatOnly(z.record(z.string(), looseRecord).optional(), "per forum topic settings"),
    tools: compatOnly(looseRecord.optional(), "tool policy for this group"),
  }),
);

const telegramAccount = lazySchema("channels.telegramAccount", () => ({
  ...channelCommon(TELEGRAM_MAX_TEXT),
  botToken: z.string().optional().describe("bot token from @BotFather; TELEGRAM_BOT_TOKEN wins"),
  tokenFile: z.string().optional().describe("file holding the bot token"),
  apiRoot: httpUrl().optional().describe("Bot API base URL (for a local Bot API server or tests)"),
  webhookUrl: httpUrl()
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
    .startsWith("/", "must start with /, e.g. /telegram-webhook")
    .optional()
    .describe("path served on the gateway port; default: the path of webhookUrl, else /telegram-webhook"),
  proxy: compatOnly(z.string().optional(), "HTTP proxy for the Bot API"),
  groups: z
    .record(z.string(), telegramGroup())
    .optional()
    .describe('per group (chat id, or "*" for all) settings'),
  customCommands: compatOnly(z.array(looseRecord).optional(), "extra commands in the bot's menu"),
}));

/** Webhook mode without a secret would let anyone post updates as Telegram. */
function requireWebhookSecret<T extends z.ZodType>(schema: T): T {
  return schema.refine(
    (value: unknown) => {
      const v = value as { webhookUrl?: unknown; webhookSecret?: unknown };
      return v.webhookUrl === undefined || v.webhookSecret !== undefined;
    },
    {
      path: ["webhookSecret"],
      message: `is required with webhookUrl (${SECRET_GENERATOR_HINT})`,
      when: (payload) => typeof payload.value === "object" && payload.value !== null,
    },
  ) as unknown as T;
}

const telegramChannel = () =>
  requireWebhookSecret(
    requireWildcardForOpenDm(
      z.strictObject({
        ...telegramAccount(),
        ...extraAccounts(requireWebhookSecret(requireWildcardForOpenDm(z.strictObject(telegramAccount())))),
      }),
    ),
  );

const whatsappGroup = lazySchema("channels.whatsappGroup", () =>
  z.strictObject({
    requireMention: requireMention(),
    enabled: z.boolean().optional(),
    allowFrom: allowFrom().optional(),
    systemPrompt: compatOnly(z.string().optional(), "extra system prompt for this group"),
  }),
);

const whatsappAccount = lazySchema("channels.whatsappAccount", () => ({
  ...channelCommon(),
  authDir: z.string().optional().describe("where the linked session's credentials are kept"),
  groups: z.record(z.string(), whatsappGroup()).optional().describe('per group (JID, or "*") settings'),
  sendReadReceipts: compatOnly(z.boolean().optional(), "mark answered messages as read"),
  selfChatMode: z.boolean().optional(),
}));

const whatsappChannel = () =>
  requireWildcardForOpenDm(
    z.strictObject({
      ...whatsappAccount(),
      ...extraAccounts(requireWildcardForOpenDm(z.strictObject(whatsappAccount()))),
    }),
  );

const signalAccount = lazySchema("channels.signalAccount", () => ({
  ...channelCommon(),
  account: z
    .string()
    .regex(/^\+[1-9]\d{6,14}$/, "must be a phone number in E.164 form, e.g. +15551234567")
    .optional()
    .describe("the Signal number the bot runs as (E.164)"),
  httpUrl: httpUrl().optional().describe("signal-cli JSON-RPC/HTTP daemon URL"),
  cliPath: z.string().optional().describe("path of the signal-cli executable"),
  groups: z.record(z.string(), whatsappGroup()).optional(),
}));

const signalChannel = () =>
  requireWildcardForOpenDm(
    z.strictObject({
      ...signalAccount(),
      ...extraAccounts(requireWildcardForOpenDm(z.strictObject(signalAccount()))),
    }),
  );

const slackAccount = lazySchema("channels.slackAccount", () =>
  slackAccountShape(channelCommon(SLACK_MAX_TEXT)),
);

const slackChannel = () =>
  checkSlackSection(
    z.strictObject({
      ...slackAccount(),
      ...extraAccounts(checkSlackSection(z.strictObject(slackAccount()))),
    }),
  );

/**
 * The section schema of every built-in chat channel, each built the first time it is
 * needed: channels/registry.ts pairs each with its adapter factory (the type there requires
 * one per entry), so this object is the one list of built-in channel names.
 */
export const CHANNEL_SECTIONS = {
  discord: lazySchema("channels.discord", () => discordChannel().describe("Discord bot")),
  telegram: lazySchema("channels.telegram", () => telegramChannel().describe("Telegram bot")),
  whatsapp: lazySchema("channels.whatsapp", () => whatsappChannel().describe("WhatsApp (linked device)")),
  signal: lazySchema("channels.signal", () => signalChannel().describe("Signal (signal-cli)")),
  slack: lazySchema("channels.slack", () =>
    slackChannel().describe("Slack app (Socket Mode or HTTP events)"),
  ),
} as const;

/** `channels.<name>` as it sits in the `channels` object: the section schema, optional. */
function optionalSection<N extends keyof typeof CHANNEL_SECTIONS>(
  name: N,
): () => z.ZodOptional<ReturnType<(typeof CHANNEL_SECTIONS)[N]>> {
  type Section = ReturnType<(typeof CHANNEL_SECTIONS)[N]>;
  return lazySchema(`channels.${name} (optional)`, () =>
    (CHANNEL_SECTIONS[name]() as Section).optional(),
  ) as () => z.ZodOptional<Section>;
}

/** A chat app OpenClaw connects that we do not have yet: its section loads but starts nothing. */
const otherChannel = (name: string) =>
  lazySchema(`channels.${name}`, () => compatOnly(looseRecord.optional(), `the ${name} channel`));

/** `channels`: validated key by key, so only the channels a config has are ever built (lazy.ts). */
export const channelsSchema = lazyStrictObject(
  "channels",
  {
    defaults: lazySchema("channels.defaults", () =>
      z
        .strictObject({
          groupPolicy: groupPolicy().optional(),
          dmPolicy: dmPolicy().optional(),
          heartbeat: compatOnly(looseRecord.optional(), "heartbeat delivery settings for every channel"),
        })
        .optional()
        .describe("fallbacks for every channel"),
    ),
    modelByChannel: lazySchema("channels.modelByChannel", () =>
      compatOnly(
        z.record(z.string(), z.record(z.string(), z.string())).optional(),
        "pin a model per channel id: modelByChannel.<channel>.<channelId> = provider/model",
      ),
    ),
    discord: optionalSection("discord"),
    telegram: optionalSection("telegram"),
    whatsapp: optionalSection("whatsapp"),
    signal: optionalSection("signal"),
    slack: optionalSection("slack"),
    imessage: otherChannel("iMessage"),
    bluebubbles: otherChannel("BlueBubbles"),
    msteams: otherChannel("Microsoft Teams"),
    googlechat: otherChannel("Google Chat"),
    mattermost: otherChannel("Mattermost"),
    matrix: otherChannel("Matrix"),
    irc: otherChannel("IRC"),
    line: otherChannel("LINE"),
    nostr: otherChannel("Nostr"),
    feishu: otherChannel("Feishu"),
    zalo: otherChannel("Zalo"),
    twitch: otherChannel("Twitch"),
  },
  "chat app connections; a channel starts when its section exists (unless enabled: false)",
);
