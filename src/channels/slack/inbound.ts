/**
 * Slack events (`message`, `app_mention`) → the channel-neutral InboundMessage. Slack
 * sends a channel mention twice (as `message` and `app_mention`) and redelivers events
 * it thinks were lost, so each message is handed on once, keyed by channel and ts.
 */
import type { ChatType, InboundMessage } from "../types.js";
import { unescapeMrkdwn } from "./format.js";
import { replyToModeFor, type SlackSettings } from "./index.js";

/** The fields of a Slack message event we read (Slack's Events API shape). */
export interface SlackMessageEvent {
  type: string;
  subtype?: string;
  channel?: string;
  channel_type?: string;
  user?: string;
  bot_id?: string;
  text?: string;
  ts?: string;
  thread_ts?: string;
  files?: { id?: string; name?: string; mimetype?: string; size?: number; url_private?: string }[];
}

/** Message subtypes that carry something a person said; edits, joins and deletions do not. */
const SPOKEN_SUBTYPES = new Set([undefined, "file_share", "thread_broadcast", "bot_message", "me_message"]);
/** Messages remembered for deduplication: far more than Slack redelivers within its retry window. */
const SEEN_CAP = 2000;
/** Names cached per user: a workspace's active members, without growing forever. */
const NAME_CAP = 5000;

export interface InboundDeps {
  settings: SlackSettings;
  /** Who we are, from auth.test (undefined before it answered). */
  bot: () => { userId: string; botId?: string } | undefined;
  /** The user's display name (users.info), or undefined when Slack will not say. */
  userName(userId: string): Promise<string | undefined>;
}

export function createInboundMapper(deps: InboundDeps) {
  const seen = new BoundedMap<string, true>(SEEN_CAP);
  const names = new BoundedMap<string, string>(NAME_CAP);
  /** DM channel id (D…) by user id, and the thread root of each DM message (outbound uses both). */
  const dmChannels = new BoundedMap<string, string>(NAME_CAP);
  const dmThreads = new BoundedMap<string, string>(SEEN_CAP);

  async function nameOf(userId: string): Promise<string> {
    const known = names.get(userId);
    if (known) return known;
    const name = (await deps.userName(userId).catch(() => undefined)) ?? userId;
    names.set(userId, name);
    return name;
  }

  async function toInbound(event: SlackMessageEvent): Promise<InboundMessage | undefined> {
    if (event.type !== "message" && event.type !== "app_mention") return undefined;
    if (!SPOKEN_SUBTYPES.has(event.subtype)) return undefined;
    const { channel, ts } = event;
    const senderId = event.user ?? event.bot_id;
    if (!channel || !ts || !senderId) return undefined;
    const bot = deps.bot();
    if (bot && (event.user === bot.userId || (bot.botId && event.bot_id === bot.botId))) return undefined;
    if (seen.get(`${channel}:${ts}`)) return undefined;
    seen.set(`${channel}:${ts}`, true);
    const chatType = chatTypeOf(event);
    if (chatType === "group" && !groupDmAllowed(deps.settings, channel)) return undefined;
    const text = unescapeMrkdwn(event.text ?? "");
    const mentionsBot =
      event.type === "app_mention" || (bot !== undefined && text.includes(`<@${bot.userId}>`));
    const inThread = event.thread_ts !== undefined && event.thread_ts !== ts;
    if (chatType === "direct") {
      dmChannels.set(senderId, channel);
      if (inThread) dmThreads.set(ts, event.thread_ts!);
    }
    return {
      channel: "slack",
      accountId: deps.settings.accountId,
      messageId: ts,
      chatType,
      peer: chatType === "direct" ? { kind: "direct", id: senderId } : { kind: chatType, id: channel },
      ...threadOf(deps.settings, event, chatType, channel, ts),
      sender: {
        id: senderId,
        name: event.user ? await nameOf(event.user) : senderId,
        isBot: event.bot_id !== undefined || event.subtype === "bot_message",
      },
      text,
      mentionsBot,
      attachments: (event.files ?? []).map((f) => ({
        url: f.url_private ?? "",
        name: f.name ?? f.id ?? "file",
        ...(f.mimetype ? { contentType: f.mimetype } : {}),
        size: f.size ?? 0,
      })),
      ...(inThread ? { replyToMessageId: event.thread_ts } : {}),
      timestamp: Math.round(Number.parseFloat(ts) * 1000),
    };
  }

  return { toInbound, dmChannels, dmThreads };
}

/** im → direct, mpim → group (a group DM), public and private channels → channel. */
function chatTypeOf(event: SlackMessageEvent): ChatType {
  if (event.channel_type === "im") return "direct";
  if (event.channel_type === "mpim") return "group";
  if (!event.channel_type && event.channel?.startsWith("D")) return "direct";
  return "channel";
}

function groupDmAllowed(settings: SlackSettings, channel: string): boolean {
  const { enabled, channels } = settings.groupDms;
  return enabled && (!channels || channels.length === 0 || channels.includes(channel));
}

/**
 * The thread a message belongs to (OpenClaw's session rule): a reply in a channel
 * thread uses the thread's root; a top-level channel message starts its own thread
 * when replies are threaded (replyToMode not off). DM threads stay on the DM session.
 */
function threadOf(
  settings: SlackSettings,
  event: SlackMessageEvent,
  chatType: ChatType,
  channel: string,
  ts: string,
): { threadId?: string } {
  if (chatType === "direct") return {};
  if (event.thread_ts) return { threadId: event.thread_ts };
  return replyToModeFor(settings, chatType, channel) === "off" ? {} : { threadId: ts };
}

/** A Map that forgets its oldest entries beyond `cap` (insertion order). */
export class BoundedMap<K, V> {
  private readonly map = new Map<K, V>();
  constructor(private readonly cap: number) {}
  get(key: K): V | undefined {
    return this.map.get(key);
  }
  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.cap) this.map.delete(this.map.keys().next().value as K);
  }
}
