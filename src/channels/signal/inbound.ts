/**
 * A signal-cli `receive` envelope → InboundMessage. Only data messages with text or
 * files become messages; receipts, typing, reactions and sync messages are dropped.
 */
import os from "node:os";
import path from "node:path";
import { readFileCapped } from "../download.js";
import type { InboundAttachment, InboundMessage } from "../types.js";

export interface SignalMention {
  name?: string;
  number?: string | null;
  uuid?: string;
  start: number;
  length: number;
}

export interface SignalAttachment {
  id?: string;
  contentType?: string;
  filename?: string | null;
  size?: number | null;
}

export interface SignalEnvelope {
  source?: string;
  sourceNumber?: string | null;
  sourceUuid?: string;
  sourceName?: string;
  timestamp?: number;
  dataMessage?: {
    timestamp?: number;
    message?: string | null;
    mentions?: SignalMention[];
    attachments?: SignalAttachment[];
    groupInfo?: { groupId: string; groupName?: string; type?: string };
    quote?: { id?: number };
    reaction?: unknown;
  };
}

/**
 * Where signal-cli keeps received files: `$XDG_DATA_HOME/signal-cli/attachments/<id>`
 * (default `~/.local/share/…`). Right for a daemon on this host with the default data
 * dir; for a remote daemon (`httpUrl`) the path names the file on that host.
 */
export function defaultAttachmentsDir(env: NodeJS.ProcessEnv = process.env): string {
  const dataHome = env.XDG_DATA_HOME || path.join(env.HOME || os.homedir(), ".local", "share");
  return path.join(dataHome, "signal-cli", "attachments");
}

/** The sender id used for policy and pairing: the phone number, else `uuid:<uuid>`. */
export function senderIdOf(envelope: SignalEnvelope): string | undefined {
  const number = envelope.sourceNumber ?? (envelope.source?.startsWith("+") ? envelope.source : undefined);
  if (number) return number;
  const uuid = envelope.sourceUuid ?? envelope.source;
  return uuid ? `uuid:${uuid}` : undefined;
}

export function toInbound(
  envelope: SignalEnvelope,
  ctx: { account: string; accountId: string; attachmentsDir: string },
): InboundMessage | undefined {
  const data = envelope.dataMessage;
  const senderId = senderIdOf(envelope);
  if (!data || !senderId || senderId === ctx.account || data.reaction) return undefined;
  const attachments = (data.attachments ?? []).map((a) => toAttachment(a, ctx.attachmentsDir));
  const mentions = data.mentions ?? [];
  const text = withMentionNames(data.message ?? "", mentions);
  if (!text.trim() && attachments.length === 0) return undefined;
  const timestamp = data.timestamp ?? envelope.timestamp ?? Date.now();
  const group = data.groupInfo;
  return {
    channel: "signal",
    accountId: ctx.accountId,
    messageId: String(timestamp),
    chatType: group ? "group" : "direct",
    peer: group ? { kind: "group", id: group.groupId } : { kind: "direct", id: senderId },
    ...(group?.groupName ? { chatName: group.groupName } : {}),
    sender: { id: senderId, name: envelope.sourceName || senderId, isBot: false },
    text,
    mentionsBot: mentions.some((m) => m.number === ctx.account),
    attachments,
    ...(data.quote?.id ? { replyToMessageId: String(data.quote.id) } : {}),
    timestamp,
  };
}

/** Signal puts U+FFFC where a mention sits; write `@name` there so the agent can read it. */
function withMentionNames(text: string, mentions: SignalMention[]): string {
  let out = text;
  // Right to left so earlier offsets stay valid.
  for (const m of [...mentions].sort((a, b) => b.start - a.start)) {
    const label = `@${m.name || m.number || m.uuid || "someone"}`;
    out = out.slice(0, m.start) + label + out.slice(m.start + m.length);
  }
  return out;
}

function toAttachment(a: SignalAttachment, dir: string): InboundAttachment {
  const id = a.id ?? "unknown";
  const file = path.join(dir, id);
  return {
    url: file,
    name: a.filename || id,
    ...(a.contentType ? { contentType: a.contentType } : {}),
    size: a.size ?? 0,
    // Audio is read for transcription from where signal-cli stored it on this host; the id
    // is a bare file name there (one with a path in it gets no reader).
    ...(/^audio\//.test(a.contentType ?? "") && a.id && path.basename(a.id) === a.id
      ? { read: (maxBytes: number) => readFileCapped(file, maxBytes) }
      : {}),
  };
}
