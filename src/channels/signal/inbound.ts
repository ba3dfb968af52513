/**
 * A signal-cli `receive` envelope → InboundMessage. Only data messages with text or
 * files become messages; receipts, typing, reactions and sync messages are dropped.
 */
import os from "node:os";
import path from "node:path";
import { AttachmentTooLargeError, type InboundAttachment, type InboundMessage } from "../types.js";
import { SignalAnswerTooLargeError, type SignalRpc } from "./rpc.js";

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
 * dir; for a remote daemon (`httpUrl`) the path names the file on that host. Only shown
 * as the attachment's `url`: the bytes are fetched with `getAttachment` (see below).
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

export interface InboundContext {
  account: string;
  accountId: string;
  attachmentsDir: string;
  /** The daemon: audio attachments are fetched from it (none → no reader). */
  rpc?: SignalRpc;
}

export function toInbound(envelope: SignalEnvelope, ctx: InboundContext): InboundMessage | undefined {
  const data = envelope.dataMessage;
  const senderId = senderIdOf(envelope);
  if (!data || !senderId || senderId === ctx.account || data.reaction) return undefined;
  // getAttachment names the account and where the file came from: the group, else the sender.
  const from = {
    account: ctx.account,
    ...(data.groupInfo
      ? { groupId: data.groupInfo.groupId }
      : { recipient: envelope.sourceNumber ?? envelope.sourceUuid ?? envelope.source }),
  };
  const attachments = (data.attachments ?? []).map((a) => toAttachment(a, ctx, from));
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

/**
 * Audio types by file extension, for an attachment that comes without a content type
 * (OpenClaw does the same, so AAC voice notes still reach transcription).
 */
const AUDIO_BY_EXTENSION: Record<string, string> = {
  aac: "audio/aac",
  m4a: "audio/mp4",
  mp3: "audio/mpeg",
  oga: "audio/ogg",
  ogg: "audio/ogg",
  opus: "audio/ogg",
  wav: "audio/wav",
};

/** base64 carries 3 bytes in 4 characters; the JSON-RPC envelope around it is small. */
const base64Length = (bytes: number) => Math.ceil(bytes / 3) * 4;
const RPC_ENVELOPE_BYTES = 1024;

function toAttachment(
  a: SignalAttachment,
  ctx: InboundContext,
  from: Record<string, string | undefined>,
): InboundAttachment {
  const id = a.id ?? "unknown";
  const extension = path
    .extname(a.filename || id)
    .slice(1)
    .toLowerCase();
  const contentType = a.contentType || AUDIO_BY_EXTENSION[extension];
  const rpc = ctx.rpc;
  return {
    url: path.join(ctx.attachmentsDir, id),
    name: a.filename || id,
    ...(contentType ? { contentType } : {}),
    size: a.size ?? 0,
    // Audio is fetched for transcription from signal-cli itself (`getAttachment`, base64):
    // the daemon may run on another host or in a container, where its files are not ours.
    ...(/^audio\//.test(contentType ?? "") && a.id && rpc
      ? { read: (maxBytes: number, signal: AbortSignal) => getAttachment(rpc, a.id!, from, maxBytes, signal) }
      : {}),
  };
}

async function getAttachment(
  rpc: SignalRpc,
  id: string,
  from: Record<string, string | undefined>,
  maxBytes: number,
  signal: AbortSignal,
): Promise<Buffer> {
  let result: { data?: string } | undefined;
  try {
    result = await rpc.call<{ data?: string }>(
      "getAttachment",
      { id, ...from },
      { signal, maxBytes: base64Length(maxBytes) + RPC_ENVELOPE_BYTES },
    );
  } catch (err) {
    if (err instanceof SignalAnswerTooLargeError) throw new AttachmentTooLargeError(maxBytes);
    throw err;
  }
  if (typeof result?.data !== "string") throw new Error("signal-cli getAttachment returned no data");
  const bytes = Buffer.from(result.data, "base64");
  if (bytes.length > maxBytes) throw new AttachmentTooLargeError(maxBytes);
  return bytes;
}
