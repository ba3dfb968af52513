import { z } from "zod";
import {
  allowFrom,
  compatOnly,
  dmPolicy,
  httpUrl,
  looseRecord,
  requireWildcardForOpenDm,
  stringList,
} from "./common.js";
import { lazySchema } from "./lazy.js";

/** Slack's hard limit for one message's `text` (chat.postMessage truncates beyond it). */
export const SLACK_MAX_TEXT = 40_000;
/** OpenClaw's default `channels.slack.textChunkLimit`: long enough for most answers, easy to read. */
export const SLACK_DEFAULT_TEXT_CHUNK = 8000;

/** OpenClaw's Slack reply threading modes; `batched` is answered like `first` here. */
export const SLACK_REPLY_TO_MODES = ["off", "first", "all", "batched"] as const;
const slackReplyToMode = lazySchema("slack.slackReplyToMode", () =>
  z
    .enum(SLACK_REPLY_TO_MODES)
    .describe(
      "reply threading for top-level messages: off (default; reply in the channel), first/batched (the first reply starts a thread under the message), all (every reply in that thread); a message already in a thread is always answered in it",
    ),
);

const requireMention = lazySchema("slack.requireMention", () =>
  z.boolean().optional().describe("answer only when mentioned (default true)"),
);

const slackRoom = lazySchema("slack.slackRoom", () =>
  z.strictObject({
    enabled: z.boolean().optional().describe("set false to ignore this channel"),
    allow: z.boolean().optional().describe("same as enabled (Discord's name)"),
    requireMention: requireMention(),
    users: z
      .array(z.union([z.string(), z.number()]))
      .optional()
      .describe("only these Slack user ids (U…) may trigger the bot here"),
    replyToMode: slackReplyToMode().optional(),
    allowBots: compatOnly(z.boolean().optional(), "answer bot-authored messages in this channel"),
    ignoreOtherMentions: compatOnly(z.boolean().optional(), "drop messages that mention someone else"),
    skills: compatOnly(stringList.optional(), "skills offered in this channel"),
    systemPrompt: compatOnly(z.string().optional(), "extra system prompt for this channel"),
    tools: compatOnly(looseRecord.optional(), "tool policy for this channel"),
    toolsBySender: compatOnly(looseRecord.optional(), "tool policy per sender in this channel"),
    presenceEvents: compatOnly(looseRecord.optional(), "presence wakes for this channel"),
    botLoopProtection: compatOnly(looseRecord.optional(), "bot loop budget for this channel"),
  }),
);

const signingSecret = lazySchema("slack.signingSecret", () =>
  z.string().min(1).optional().describe("HTTP mode: the app's Signing Secret (Basic Information page)"),
);

/**
 * `channels.slack`'s own keys (OpenClaw's names) over the shared chat-channel keys,
 * which channels.ts passes in (no import cycle); it adds `accounts` like for every channel.
 */
export function slackAccountShape<C extends z.ZodRawShape>(common: C) {
  return {
    ...common,
    mode: z
      .enum(["socket", "http"])
      .optional()
      .describe(
        "socket (default: Socket Mode, no public URL; needs appToken) or http (Slack POSTs events to webhookPath on the gateway port; needs signingSecret)",
      ),
    botToken: z.string().optional().describe("bot token (xoxb-…); SLACK_BOT_TOKEN wins"),
    appToken: z
      .string()
      .optional()
      .describe("Socket Mode: App-Level Token (xapp-…) with connections:write; SLACK_APP_TOKEN wins"),
    signingSecret: signingSecret(),
    webhookPath: z
      .string()
      .startsWith("/", "must start with /, e.g. /slack/events")
      .optional()
      .describe("HTTP mode: path served on the gateway port (default /slack/events)"),
    apiUrl: httpUrl()
      .optional()
      .describe("Slack Web API base URL (for proxies and tests); default https://slack.com/api/"),
    userToken: compatOnly(z.string().optional(), "user token (xoxp-…) for reads or postAs user"),
    userTokenReadOnly: compatOnly(z.boolean().optional(), "use the user token for reads only"),
    postAs: compatOnly(z.enum(["bot", "user"]).optional(), "post as the bot or as the authorizing user"),
    relay: compatOnly(looseRecord.optional(), "relay mode ingress settings"),
    socketMode: compatOnly(looseRecord.optional(), "retired Socket Mode tuning (OpenClaw ignores it too)"),
    allowBots: z.boolean().optional().describe("answer messages from other bots (default false)"),
    dm: z
      .strictObject({
        enabled: z.boolean().optional().describe("set false to ignore every DM"),
        policy: compatOnly(dmPolicy().optional(), "legacy name of dmPolicy"),
        allowFrom: compatOnly(allowFrom().optional(), "legacy name of allowFrom"),
        groupEnabled: z.boolean().optional().describe("answer in group DMs (MPIMs); default false"),
        groupChannels: stringList.optional().describe("only these group DMs (ids) when groupEnabled"),
        replyToMode: slackReplyToMode().optional(),
      })
      .optional(),
    dms: compatOnly(looseRecord.optional(), "per-DM settings (history limits)"),
    channels: z
      .record(z.string(), slackRoom())
      .optional()
      .describe(
        'per channel (Slack channel id C…/G…, or "*") settings; with groupPolicy allowlist only these',
      ),
    replyToMode: slackReplyToMode().optional(),
    replyToModeByChatType: z
      .strictObject({
        direct: slackReplyToMode().optional(),
        group: slackReplyToMode().optional(),
        channel: slackReplyToMode().optional(),
      })
      .optional()
      .describe("replyToMode per kind of chat (over replyToMode)"),
    unfurlLinks: z.boolean().optional().describe("let Slack expand links in replies (default false)"),
    unfurlMedia: z.boolean().optional().describe("let Slack expand media links in replies"),
    streaming: compatOnly(
      z.union([z.boolean(), z.enum(["off", "partial", "block", "progress"]), looseRecord]).optional(),
      "stream partial replies: { mode, chunkMode, nativeTransport }",
    ),
    thread: compatOnly(looseRecord.optional(), "thread history settings (historyScope, inheritParent…)"),
    implicitMentions: compatOnly(
      looseRecord.optional(),
      "replies to the bot and thread follow-ups count as mentions",
    ),
    joinIntro: compatOnly(z.boolean().optional(), "introduce the bot when it joins a channel"),
    reactionAllowlist: compatOnly(stringList.optional(), "users whose reactions are reported"),
    typingReaction: compatOnly(z.string().optional(), "emoji reacted while a reply is running"),
    slashCommand: compatOnly(looseRecord.optional(), "the /openclaw slash command"),
    execApprovals: compatOnly(looseRecord.optional(), "exec approvals delivered in Slack"),
    presenceEvents: compatOnly(looseRecord.optional(), "presence wakes"),
    dangerouslyAllowNameMatching: compatOnly(z.boolean().optional(), "match channels and users by name"),
  };
}

/** HTTP mode is unauthenticated without the signing secret: anyone could post events as Slack. */
function requireSigningSecretForHttp<T extends z.ZodType>(schema: T): T {
  return schema.refine(
    (value: unknown) => {
      const v = value as { mode?: unknown; signingSecret?: unknown };
      return v.mode !== "http" || typeof v.signingSecret === "string";
    },
    {
      path: ["signingSecret"],
      message: 'is required with mode "http" (Slack app → Basic Information → Signing Secret)',
      when: (payload) => typeof payload.value === "object" && payload.value !== null,
    },
  ) as unknown as T;
}

/** The checks on `channels.slack` and on each of its accounts. */
export function checkSlackSection<T extends z.ZodType>(schema: T): T {
  return requireSigningSecretForHttp(requireWildcardForOpenDm(schema));
}
