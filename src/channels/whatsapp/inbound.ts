/**
 * A Baileys `messages.upsert` message → InboundMessage. Only the fields we read are
 * typed here (a structural subset of Baileys' WAMessage), so this module loads none of
 * the library. Status broadcasts, protocol messages and our own messages are dropped,
 * except in self-chat mode: a message you write to your own number is for the assistant.
 */
import type { InboundAttachment, InboundMessage } from "../types.js";
import { bareJid, isGroupJid, isLidJid, jidToE164 } from "./jid.js";

interface ContextInfo {
  mentionedJid?: string[] | null;
  stanzaId?: string | null;
}

interface Media {
  caption?: string | null;
  mimetype?: string | null;
  fileName?: string | null;
  fileLength?: number | { toNumber(): number } | null;
  contextInfo?: ContextInfo | null;
  /** Audio: recorded in the app (push to talk), and its length. */
  ptt?: boolean | null;
  seconds?: number | null;
}

export interface WaMessageContent {
  conversation?: string | null;
  extendedTextMessage?: { text?: string | null; contextInfo?: ContextInfo | null } | null;
  imageMessage?: Media | null;
  videoMessage?: Media | null;
  audioMessage?: Media | null;
  documentMessage?: Media | null;
  stickerMessage?: Media | null;
  ephemeralMessage?: { message?: WaMessageContent | null } | null;
  viewOnceMessage?: { message?: WaMessageContent | null } | null;
  viewOnceMessageV2?: { message?: WaMessageContent | null } | null;
  documentWithCaptionMessage?: { message?: WaMessageContent | null } | null;
}

export interface WaMessage {
  key: {
    remoteJid?: string | null;
    remoteJidAlt?: string;
    fromMe?: boolean | null;
    id?: string | null;
    participant?: string | null;
    participantAlt?: string;
  };
  message?: WaMessageContent | null;
  pushName?: string | null;
  messageTimestamp?: number | { toNumber(): number } | null;
}

export interface InboundContext {
  accountId: string;
  /** Our own JIDs (phone and, when known, LID), without device suffix. */
  self: { jid?: string; lid?: string };
  /** Answer messages we write to ourselves (own number in allowFrom). */
  selfChat: boolean;
  /** Ids of messages we sent, so our replies in self-chat are not taken as questions. */
  sentByUs(id: string): boolean;
}

const MEDIA_KINDS = [
  "imageMessage",
  "videoMessage",
  "audioMessage",
  "documentMessage",
  "stickerMessage",
] as const;

export function toInbound(msg: WaMessage, ctx: InboundContext): InboundMessage | undefined {
  const chatJid = msg.key.remoteJid;
  const id = msg.key.id;
  if (!chatJid || !id || chatJid === "status@broadcast" || chatJid.endsWith("@broadcast")) return undefined;
  const content = unwrap(msg.message);
  if (!content) return undefined;
  const group = isGroupJid(chatJid);
  if (msg.key.fromMe) {
    const toSelf = !group && isSelf(preferPhone(chatJid, msg.key.remoteJidAlt), ctx);
    if (!ctx.selfChat || !toSelf || ctx.sentByUs(id)) return undefined;
  }
  const senderJid = group
    ? preferPhone(msg.key.participant ?? undefined, msg.key.participantAlt)
    : preferPhone(chatJid, msg.key.remoteJidAlt);
  if (!senderJid) return undefined;
  const senderId = jidToE164(senderJid) ?? bareJid(senderJid);
  const { text, contextInfo, attachments } = readContent(content, id);
  if (!text.trim() && attachments.length === 0) return undefined;
  const mentioned = (contextInfo?.mentionedJid ?? []).map(bareJid);
  return {
    channel: "whatsapp",
    accountId: ctx.accountId,
    messageId: id,
    chatType: group ? "group" : "direct",
    peer: group ? { kind: "group", id: chatJid } : { kind: "direct", id: senderId },
    sender: { id: senderId, name: msg.pushName || senderId, isBot: false },
    text,
    mentionsBot: mentioned.some((jid) => jid === ctx.self.jid || (ctx.self.lid && jid === ctx.self.lid)),
    attachments,
    ...(contextInfo?.stanzaId ? { replyToMessageId: contextInfo.stanzaId } : {}),
    timestamp: toMillis(msg.messageTimestamp),
  };
}

/** Disappearing, view-once and captioned-document messages wrap the real content. */
function unwrap(content: WaMessageContent | null | undefined): WaMessageContent | undefined {
  let c = content ?? undefined;
  for (let depth = 0; c && depth < 4; depth++) {
    const inner =
      c.ephemeralMessage?.message ??
      c.viewOnceMessage?.message ??
      c.viewOnceMessageV2?.message ??
      c.documentWithCaptionMessage?.message;
    if (!inner) return c;
    c = inner;
  }
  return c;
}

function readContent(c: WaMessageContent, messageId: string) {
  const attachments: InboundAttachment[] = [];
  let caption = "";
  let contextInfo = c.extendedTextMessage?.contextInfo ?? undefined;
  for (const kind of MEDIA_KINDS) {
    const media = c[kind];
    if (!media) continue;
    caption ||= media.caption ?? "";
    contextInfo ??= media.contextInfo ?? undefined;
    // Media stays on WhatsApp's servers, encrypted; it is named for the agent, not downloaded.
    attachments.push({
      url: `whatsapp:message/${messageId}`,
      name: media.fileName || kind.replace(/Message$/, ""),
      ...(media.mimetype ? { contentType: media.mimetype.split(";")[0]! } : {}),
      size: toNumber(media.fileLength),
      ...(kind === "audioMessage" && media.ptt ? { voice: true } : {}),
      ...(media.seconds ? { durationSeconds: media.seconds } : {}),
    });
  }
  const text = c.conversation ?? c.extendedTextMessage?.text ?? caption;
  return { text: text ?? "", contextInfo, attachments };
}

/** A LID chat may carry the phone JID alongside (Baileys' `*Alt`): prefer the phone. */
function preferPhone(jid: string | undefined, alt: string | undefined): string | undefined {
  if (isLidJid(jid) && alt && jidToE164(alt)) return alt;
  return jid;
}

function isSelf(jid: string | undefined, ctx: InboundContext): boolean {
  const bare = bareJid(jid);
  return bare !== "" && (bare === ctx.self.jid || bare === ctx.self.lid);
}

function toNumber(v: number | { toNumber(): number } | null | undefined): number {
  if (v === null || v === undefined) return 0;
  return typeof v === "number" ? v : v.toNumber();
}

/** Baileys gives seconds (a number or a protobuf Long). */
function toMillis(v: number | { toNumber(): number } | null | undefined): number {
  const seconds = toNumber(v);
  return seconds > 0 ? seconds * 1000 : Date.now();
}
