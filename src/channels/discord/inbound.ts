/**
 * Discord MESSAGE_CREATE → InboundMessage. Knows which channels are threads from what
 * the gateway told us (GUILD_CREATE, CHANNEL_*, THREAD_*), asking REST only on a miss.
 */
import type {
  APIChannel,
  APIGuildMember,
  GatewayGuildCreateDispatchData,
  GatewayMessageCreateDispatchData,
} from "@discordjs/core";
import { fetchCapped } from "../download.js";
import type { InboundMessage } from "../types.js";

// Discord's numeric enums, inlined so this module loads none of the library at runtime.
const MessageType = { Default: 0, Reply: 19 } as const;
const MessageFlags = { IsVoiceMessage: 1 << 13 } as const;
const ChannelType = { GroupDM: 3, AnnouncementThread: 10, PublicThread: 11, PrivateThread: 12 } as const;

export interface ChannelInfo {
  type: number;
  name?: string;
  parentId?: string;
  guildId?: string;
}

export interface InboundMapperDeps {
  accountId: string;
  botId(): string | undefined;
  /** REST look-up for a channel the gateway has not told us about. */
  fetchChannel(id: string): Promise<APIChannel>;
  /** Called with the DM channel of every user who writes to the bot (to answer there). */
  rememberDmChannel(userId: string, channelId: string): void;
}

export function createInboundMapper(deps: InboundMapperDeps) {
  const channels = new Map<string, ChannelInfo>();
  /** Role ids the bot holds, per guild: a mention of one of them mentions the bot. */
  const botRoles = new Map<string, Set<string>>();

  function learnChannel(channel: LearnableChannel) {
    channels.set(channel.id, toChannelInfo(channel));
  }

  function learnGuild(guild: GatewayGuildCreateDispatchData): void {
    for (const c of [...(guild.channels ?? []), ...(guild.threads ?? [])])
      learnChannel({ ...c, guild_id: guild.id });
    const self = guild.members?.find((m: APIGuildMember) => m.user?.id === deps.botId());
    if (self) botRoles.set(guild.id, new Set(self.roles));
  }

  async function channelInfo(id: string): Promise<ChannelInfo | undefined> {
    const known = channels.get(id);
    if (known) return known;
    try {
      learnChannel((await deps.fetchChannel(id)) as APIChannel & { parent_id?: string | null });
    } catch {
      return undefined; // Without details we treat it as a plain channel.
    }
    return channels.get(id);
  }

  function mentionsBot(message: GatewayMessageCreateDispatchData, botId: string): boolean {
    if (message.mentions.some((u) => u.id === botId)) return true;
    const roles = message.guild_id ? botRoles.get(message.guild_id) : undefined;
    return roles !== undefined && message.mention_roles.some((r) => roles.has(r));
  }

  /** Maps a message the bot should see; undefined for its own and for system messages. */
  async function toInbound(message: GatewayMessageCreateDispatchData): Promise<InboundMessage | undefined> {
    const botId = deps.botId();
    if (!botId || message.author.id === botId) return undefined;
    if (message.type !== MessageType.Default && message.type !== MessageType.Reply) return undefined;
    const base = messageBase(message, deps.accountId, mentionsBot(message, botId));
    if (!message.guild_id) {
      const info = channels.get(message.channel_id);
      if (info?.type === ChannelType.GroupDM) {
        return { ...base, chatType: "group", peer: { kind: "group", id: message.channel_id } };
      }
      deps.rememberDmChannel(message.author.id, message.channel_id);
      return { ...base, chatType: "direct", peer: { kind: "direct", id: message.author.id } };
    }
    const info = await channelInfo(message.channel_id);
    const isThread = info !== undefined && isThreadType(info.type);
    // Policy keys guild channels by name or id; a thread goes by its parent channel.
    const named = isThread && info.parentId ? channels.get(info.parentId) : info;
    return {
      ...base,
      chatType: "channel",
      peer: { kind: "channel", id: message.channel_id },
      guildId: message.guild_id,
      ...(named?.name ? { chatName: named.name } : {}),
      ...(isThread && info.parentId
        ? { threadId: message.channel_id, parentPeer: { kind: "channel" as const, id: info.parentId } }
        : {}),
    };
  }

  return { toInbound, learnChannel, learnGuild };
}

type LearnableChannel = Pick<APIChannel, "id" | "type"> & {
  name?: string | null;
  parent_id?: string | null;
  guild_id?: string;
};

function toChannelInfo(channel: LearnableChannel): ChannelInfo {
  return {
    type: channel.type,
    ...(channel.name ? { name: channel.name } : {}),
    ...(channel.parent_id ? { parentId: channel.parent_id } : {}),
    ...(channel.guild_id ? { guildId: channel.guild_id } : {}),
  };
}

const THREAD_TYPES: readonly number[] = [
  ChannelType.AnnouncementThread,
  ChannelType.PublicThread,
  ChannelType.PrivateThread,
];
const isThreadType = (type: number) => THREAD_TYPES.includes(type);

/** The fields every mapped message has, whatever kind of chat it came from. */
function messageBase(message: GatewayMessageCreateDispatchData, accountId: string, mentionsBot: boolean) {
  const isVoiceMessage = ((message.flags ?? 0) & MessageFlags.IsVoiceMessage) !== 0;
  return {
    channel: "discord",
    accountId,
    messageId: message.id,
    sender: {
      id: message.author.id,
      name: message.member?.nick ?? message.author.global_name ?? message.author.username,
      isBot: message.author.bot === true,
    },
    text: message.content,
    mentionsBot,
    attachments: message.attachments.map((a) => ({
      url: a.url,
      name: a.filename,
      ...(a.content_type ? { contentType: a.content_type } : {}),
      size: a.size,
      ...(a.duration_secs !== undefined ? { durationSeconds: a.duration_secs } : {}),
      // Discord marks recorded voice messages on the message, not the attachment.
      ...(isVoiceMessage ? { voice: true } : {}),
      read: (maxBytes: number, signal: AbortSignal) => fetchCapped(a.url, maxBytes, signal),
    })),
    ...(message.message_reference?.message_id && message.type === MessageType.Reply
      ? { replyToMessageId: message.message_reference.message_id }
      : {}),
    timestamp: Date.parse(message.timestamp),
  };
}
