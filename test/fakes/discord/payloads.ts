/** Realistic Discord API objects (v10 field names) for the fake. */

const DISCORD_EPOCH = 1_420_070_400_000n;
let increment = 0n;

/** A snowflake as Discord makes them: ms since 2015 in the high bits, a counter low. */
export function snowflake(): string {
  increment = (increment + 1n) & 0xfffn;
  return (((BigInt(Date.now()) - DISCORD_EPOCH) << 22n) | increment).toString();
}

export interface FakeUser {
  id: string;
  username: string;
  global_name?: string | null;
  bot?: boolean;
}

export interface FakeChannel {
  id: string;
  name: string;
  /** 0 text, 1 DM, 5 announcement, 11 public thread, 12 private thread. */
  type: number;
  parent_id?: string;
}

export interface FakeGuild {
  id: string;
  name: string;
  channels: FakeChannel[];
  /** Role ids the bot holds in this guild (its managed role, say). */
  botRoles?: string[];
}

export function userPayload(user: FakeUser) {
  return {
    id: user.id,
    username: user.username,
    global_name: user.global_name ?? null,
    discriminator: "0",
    avatar: null,
    bot: user.bot ?? false,
    public_flags: 0,
  };
}

export function channelPayload(channel: FakeChannel, guildId?: string) {
  return {
    id: channel.id,
    type: channel.type,
    name: channel.name,
    ...(guildId ? { guild_id: guildId, position: 0, permission_overwrites: [] } : {}),
    ...(channel.parent_id ? { parent_id: channel.parent_id } : {}),
    ...(channel.type === 11 || channel.type === 12
      ? { thread_metadata: { archived: false, auto_archive_duration: 1440, locked: false } }
      : {}),
  };
}

export function guildCreatePayload(guild: FakeGuild, bot: FakeUser) {
  const isThread = (c: FakeChannel) => c.type === 11 || c.type === 12;
  return {
    id: guild.id,
    name: guild.name,
    icon: null,
    owner_id: snowflake(),
    unavailable: false,
    member_count: 2,
    large: false,
    joined_at: new Date().toISOString(),
    roles: (guild.botRoles ?? []).map((id) => ({ id, name: "bot", managed: true, permissions: "0" })),
    members: [{ user: userPayload(bot), roles: guild.botRoles ?? [], joined_at: new Date().toISOString() }],
    channels: guild.channels.filter((c) => !isThread(c)).map((c) => channelPayload(c, guild.id)),
    threads: guild.channels.filter(isThread).map((c) => channelPayload(c, guild.id)),
    voice_states: [],
    presences: [],
    stage_instances: [],
    guild_scheduled_events: [],
  };
}

export interface InjectedAttachment {
  filename: string;
  /** Defaults to the length of `data`. */
  size?: number;
  content_type?: string;
  /** Voice messages carry their length and a base64 amplitude preview. */
  duration_secs?: number;
  waveform?: string;
  /** Bytes the fake's CDN serves at the attachment's `url` (else the url is Discord's, unreachable). */
  data?: Buffer;
}

/** Stores `data` on the fake's CDN under `path`; returns its URL. */
export type CdnUpload = (path: string, data: Buffer) => string;

export interface InjectedMessage {
  channelId: string;
  guildId?: string;
  author: FakeUser;
  content: string;
  /** Users @mentioned (their ids); `<@id>` tokens are not added to the content for you. */
  mentions?: string[];
  mentionRoles?: string[];
  mentionEveryone?: boolean;
  attachments?: InjectedAttachment[];
  replyTo?: string;
  /** Message flags, e.g. IS_VOICE_MESSAGE (1 << 13) for a recorded voice message. */
  flags?: number;
  /** Server nickname of the author in the guild. */
  nick?: string;
}

export function messagePayload(msg: InjectedMessage, users: Map<string, FakeUser>, cdn: CdnUpload) {
  const id = snowflake();
  return {
    id,
    type: msg.replyTo ? 19 : 0,
    channel_id: msg.channelId,
    ...(msg.guildId
      ? {
          guild_id: msg.guildId,
          member: { nick: msg.nick ?? null, roles: [], joined_at: new Date().toISOString() },
        }
      : {}),
    author: userPayload(msg.author),
    content: msg.content,
    timestamp: new Date().toISOString(),
    edited_timestamp: null,
    tts: false,
    mention_everyone: msg.mentionEveryone ?? false,
    mentions: (msg.mentions ?? []).map((uid) => userPayload(users.get(uid) ?? { id: uid, username: uid })),
    mention_roles: msg.mentionRoles ?? [],
    attachments: (msg.attachments ?? []).map((a) => {
      const attachmentId = snowflake();
      const path = `/attachments/${msg.channelId}/${attachmentId}/${a.filename}`;
      return {
        id: attachmentId,
        filename: a.filename,
        size: a.size ?? a.data?.length ?? 0,
        ...(a.content_type ? { content_type: a.content_type } : {}),
        ...(a.duration_secs !== undefined ? { duration_secs: a.duration_secs } : {}),
        ...(a.waveform !== undefined ? { waveform: a.waveform } : {}),
        url: a.data ? cdn(path, a.data) : `https://cdn.discordapp.com${path}`,
        proxy_url: `https://media.discordapp.net${path}`,
      };
    }),
    embeds: [],
    pinned: false,
    flags: msg.flags ?? 0,
    ...(msg.replyTo
      ? {
          message_reference: {
            type: 0,
            message_id: msg.replyTo,
            channel_id: msg.channelId,
            ...(msg.guildId ? { guild_id: msg.guildId } : {}),
          },
        }
      : {}),
  };
}
