/**
 * Telegram Message → InboundMessage. Private chats are DMs with the sender; groups and
 * supergroups are the group chat (forum topics as threads). Types only from grammY, so
 * this module loads none of the library at runtime.
 */
import type { Audio, Message, MessageEntity, User, UserFromGetMe, Voice } from "grammy/types";
import { fetchCapped } from "../download.js";
import type { InboundAttachment, InboundMessage } from "../types.js";

/**
 * The router downloads images up to this size for the model and shows the URL of
 * anything else to it. Telegram file URLs carry the bot token, so only images the
 * router will download get one.
 */
const DOWNLOADED_IMAGE_MAX_BYTES = 5 * 1024 * 1024;

export interface InboundMapperDeps {
  accountId: string;
  bot(): UserFromGetMe | undefined;
  /** `getFile` → the download URL (`<apiRoot>/file/bot<token>/<file_path>`). */
  fileUrl(fileId: string): Promise<string>;
}

export function createInboundMapper(deps: InboundMapperDeps) {
  /** Maps a message the bot should see; undefined for its own, channel posts and service messages. */
  async function toInbound(message: Message): Promise<InboundMessage | undefined> {
    const bot = deps.bot();
    const from = message.from;
    if (!bot || !from || from.id === bot.id) return undefined;
    const text = message.text ?? message.caption ?? "";
    const attachments = await attachmentsOf(message);
    if (!text && attachments.length === 0) return undefined;
    const base = {
      channel: "telegram",
      accountId: deps.accountId,
      messageId: String(message.message_id),
      sender: { id: String(from.id), name: displayName(from), isBot: from.is_bot },
      text,
      mentionsBot: mentionsBot(message, bot),
      attachments,
      ...(message.reply_to_message ? { replyToMessageId: String(message.reply_to_message.message_id) } : {}),
      timestamp: message.date * 1000,
    };
    const chat = message.chat;
    if (chat.type === "private") {
      return { ...base, chatType: "direct", peer: { kind: "direct", id: String(from.id) } };
    }
    if (chat.type !== "group" && chat.type !== "supergroup") return undefined;
    return {
      ...base,
      chatType: "group",
      peer: { kind: "group", id: String(chat.id) },
      chatName: chat.title,
      ...(message.is_topic_message && message.message_thread_id !== undefined
        ? { threadId: String(message.message_thread_id) }
        : {}),
    };
  }

  async function attachmentsOf(message: Message): Promise<InboundAttachment[]> {
    const out: InboundAttachment[] = [];
    const photo = message.photo?.at(-1); // sizes ascend; the last is the original
    if (photo) {
      out.push(
        await attachment(photo.file_id, `photo-${photo.file_unique_id}.jpg`, "image/jpeg", photo.file_size),
      );
    }
    const doc = message.document;
    if (doc) {
      out.push(
        await attachment(
          doc.file_id,
          doc.file_name ?? `file-${doc.file_unique_id}`,
          doc.mime_type,
          doc.file_size,
        ),
      );
    }
    const audio = message.voice ?? message.audio;
    if (audio) out.push(audioAttachment(audio, message.voice !== undefined));
    return out;
  }

  /**
   * A voice note or audio file. Its download URL holds the bot token, so it is fetched
   * only inside `read` (for transcription) and never shown: `url` names the file id.
   */
  function audioAttachment(audio: Voice | Audio, voice: boolean): InboundAttachment {
    const name =
      "file_name" in audio && audio.file_name ? audio.file_name : `voice-${audio.file_unique_id}.ogg`;
    return {
      url: `telegram:file/${audio.file_id}`,
      name,
      contentType: audio.mime_type ?? "audio/ogg",
      size: audio.file_size ?? 0,
      durationSeconds: audio.duration,
      ...(voice ? { voice: true } : {}),
      read: async (maxBytes, signal) => fetchCapped(await deps.fileUrl(audio.file_id), maxBytes, signal),
    };
  }

  async function attachment(
    fileId: string,
    name: string,
    contentType: string | undefined,
    size = 0,
  ): Promise<InboundAttachment> {
    const downloadable = /^image\//.test(contentType ?? "") && size <= DOWNLOADED_IMAGE_MAX_BYTES;
    let url = `telegram:file/${fileId}`;
    if (downloadable) url = await deps.fileUrl(fileId).catch(() => url);
    return { url, name, ...(contentType ? { contentType } : {}), size };
  }

  return { toInbound };
}

/** A real mention (`@botname`, a text mention, `/cmd@botname`) or a reply to one of the bot's messages. */
export function mentionsBot(message: Message, bot: Pick<UserFromGetMe, "id" | "username">): boolean {
  if (message.reply_to_message?.from?.id === bot.id) return true;
  const text = message.text ?? message.caption ?? "";
  const entities: MessageEntity[] = message.entities ?? message.caption_entities ?? [];
  const handle = `@${bot.username}`.toLowerCase();
  return entities.some((e) => {
    const slice = text.slice(e.offset, e.offset + e.length).toLowerCase();
    if (e.type === "mention") return slice === handle;
    if (e.type === "text_mention") return e.user.id === bot.id;
    if (e.type === "bot_command") return slice.endsWith(handle);
    return false;
  });
}

function displayName(user: User): string {
  const full = [user.first_name, user.last_name].filter(Boolean).join(" ");
  return full || user.username || String(user.id);
}
