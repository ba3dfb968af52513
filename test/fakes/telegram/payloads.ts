/** Bot API objects (users, chats, messages, updates) as the fake Telegram builds them. */

export interface FakeUser {
  id: number;
  first_name: string;
  last_name?: string;
  username?: string;
  is_bot?: boolean;
}

export interface FakeChat {
  id: number;
  type: "private" | "group" | "supergroup" | "channel";
  title?: string;
  is_forum?: boolean;
}

export interface MessageEntity {
  type: string;
  offset: number;
  length: number;
  user?: FakeUser;
}

/** What a test injects: a message from `from` in `chat` (a DM with `from` when omitted). */
export interface InjectedMessage {
  from: FakeUser;
  chat?: FakeChat;
  text?: string;
  /** Marks every `@<bot username>` in the text as a mention entity. */
  mentionBot?: boolean;
  entities?: MessageEntity[];
  /** Forum topic: the message is in topic `threadId`. */
  threadId?: number;
  /** Replies to this message (sent by `replyToFrom`, default the bot). */
  replyTo?: number;
  replyToFrom?: FakeUser;
  photo?: { fileId: string; size: number };
  document?: { fileId: string; name: string; mimeType: string; size: number };
  /** A voice note: its bytes are served by getFile and the file endpoint. */
  voice?: { fileId: string; data: Buffer; duration: number; mimeType?: string };
}

export function privateChat(user: FakeUser): FakeChat {
  return { id: user.id, type: "private" };
}

/** `mention` entities for every `@username` in `text`, offsets in UTF-16 units like Telegram's. */
export function mentionEntities(text: string, username: string): MessageEntity[] {
  const entities: MessageEntity[] = [];
  const needle = `@${username}`;
  for (let at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + 1)) {
    entities.push({ type: "mention", offset: at, length: needle.length });
  }
  return entities;
}

export function messagePayload(msg: InjectedMessage, id: number, bot: FakeUser): Record<string, unknown> {
  const chat = msg.chat ?? privateChat(msg.from);
  const entities = [
    ...(msg.entities ?? []),
    ...(msg.mentionBot && msg.text ? mentionEntities(msg.text, bot.username!) : []),
  ];
  const hasMedia = msg.photo !== undefined || msg.document !== undefined || msg.voice !== undefined;
  return {
    message_id: id,
    from: { is_bot: false, ...msg.from },
    chat,
    date: Math.floor(Date.now() / 1000),
    ...(msg.text !== undefined ? { [hasMedia ? "caption" : "text"]: msg.text } : {}),
    ...(entities.length > 0 ? { [hasMedia ? "caption_entities" : "entities"]: entities } : {}),
    ...(msg.threadId !== undefined ? { message_thread_id: msg.threadId, is_topic_message: true } : {}),
    ...(msg.replyTo !== undefined
      ? {
          reply_to_message: {
            message_id: msg.replyTo,
            from: msg.replyToFrom ?? { ...bot, is_bot: true },
            chat,
            date: Math.floor(Date.now() / 1000) - 60,
            text: "earlier message",
          },
        }
      : {}),
    ...(msg.photo
      ? {
          photo: [
            {
              file_id: `${msg.photo.fileId}-small`,
              file_unique_id: "s1",
              width: 90,
              height: 90,
              file_size: 900,
            },
            {
              file_id: msg.photo.fileId,
              file_unique_id: `u-${msg.photo.fileId}`,
              width: 800,
              height: 600,
              file_size: msg.photo.size,
            },
          ],
        }
      : {}),
    ...(msg.voice
      ? {
          voice: {
            file_id: msg.voice.fileId,
            file_unique_id: `u-${msg.voice.fileId}`,
            duration: msg.voice.duration,
            mime_type: msg.voice.mimeType ?? "audio/ogg",
            file_size: msg.voice.data.length,
          },
        }
      : {}),
    ...(msg.document
      ? {
          document: {
            file_id: msg.document.fileId,
            file_unique_id: `u-${msg.document.fileId}`,
            file_name: msg.document.name,
            mime_type: msg.document.mimeType,
            file_size: msg.document.size,
          },
        }
      : {}),
  };
}
