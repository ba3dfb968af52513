/**
 * Files sent with `chat.send` / `sessions.create`, in OpenClaw's attachment shape
 * (`{ type, mimeType, fileName, content: base64 | data URL }`): images go to the model as
 * image content, audio is transcribed into the message (OpenClaw's `[Audio]` block, as
 * for a voice note from a chat app), text files are added to the message. Anything else
 * (a PDF, a video, an archive) is kept in the agent's workspace under `media/inbound/`
 * and the message says where (OpenClaw's `[media attached: …]` note), for its tools.
 */
import { z } from "zod";
import type { StoredInbound } from "../agents/media/inbound.js";
import { audioBlock, MIN_AUDIO_BYTES } from "../channels/audio.js";
import type { GatewayContext } from "./context.js";
import { ErrorCodes, GatewayRequestError, MAX_PAYLOAD } from "./protocol.js";

/** OpenClaw's permissive envelope; fields it sends that we do not use are dropped, never refused. */
export const attachment = z.object({
  type: z.string().optional(),
  mimeType: z.string().optional(),
  fileName: z.string().max(512).optional(),
  content: z.string().optional(),
  /** Our earlier clients' name for `content`. */
  data: z.string().optional(),
  /** Anthropic's block shape, which OpenClaw also takes. */
  source: z.object({ type: z.string(), media_type: z.string().optional(), data: z.string() }).optional(),
  origin: z.enum(["paste", "file"]).optional(),
  sizeBytes: z.number().optional(),
  durationMs: z.number().optional(),
});
export type Attachment = z.infer<typeof attachment>;

/** Files in one message: OpenClaw's composer has no cap; 16 keeps one request's work bounded. */
export const MAX_ATTACHMENTS = 16;
/**
 * Bytes of all files in one message, decoded. They travel as base64 (4/3 larger) in one
 * WebSocket frame of at most MAX_PAYLOAD (8 MiB): 5 MiB is 6.7 MiB of base64 and leaves
 * room for the message text. It is also Anthropic's per-image limit (5 MB).
 */
export const MAX_ATTACHMENT_BYTES = Math.floor(((MAX_PAYLOAD * 3) / 4) * (5 / 6));
/** A text file's share of the model's context: OpenClaw's text attachment preview limit (256 KiB). */
export const MAX_TEXT_FILE_BYTES = 256 * 1024;

/**
 * How long a message's files may take to prepare: a transcription's own timeout is 60 s
 * (tools.media.audio.timeoutSeconds), and two providers may be tried in turn.
 */
export const PREPARE_TIMEOUT_MS = 120_000;

/** Raster types every provider takes; no SVG (it can hold script, and no model reads it as an image). */
const IMAGE_TYPES = new Set(["image/png", "image/jpeg", "image/gif", "image/webp"]);
/** Types read as text besides `text/*`. */
const TEXT_TYPES = new Set([
  "application/json",
  "application/xml",
  "application/x-yaml",
  "application/yaml",
  "application/toml",
  "application/x-sh",
  "application/javascript",
  "application/typescript",
]);
/** A plain `type/subtype`: a stored file's type is repeated to the model only in this shape. */
const MIME_TYPE = /^[a-z0-9][a-z0-9.+-]{0,63}\/[a-z0-9][a-z0-9.+-]{0,63}$/;
/** What a browser leaves without a type (common for .md, .ts, .log on some systems): by extension. */
const TEXT_EXTENSIONS =
  /\.(txt|md|markdown|csv|tsv|json|jsonl|ya?ml|toml|xml|html?|css|js|mjs|ts|tsx|py|rb|go|rs|java|c|h|cpp|sh|log|ini|conf|sql)$/i;
const BY_EXTENSION: Record<string, string> = {
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
  webm: "audio/webm",
  ogg: "audio/ogg",
  oga: "audio/ogg",
  opus: "audio/ogg",
  mp3: "audio/mpeg",
  m4a: "audio/mp4",
  wav: "audio/wav",
};

/** `file`: anything else, kept in the workspace for the agent's tools. */
export type AttachmentKind = "image" | "audio" | "text" | "file";

const MIB = 1024 * 1024;
/** One file's cap: `agents.defaults.mediaMaxMb` (OpenClaw's per-attachment ceiling), never above what a message carries. */
export function maxFileBytes(gateway: GatewayContext): number {
  const mb = gateway.config().config.agents?.defaults?.mediaMaxMb;
  return mb ? Math.min(Math.floor(mb * MIB), MAX_ATTACHMENT_BYTES) : MAX_ATTACHMENT_BYTES;
}

/** The limits and what is accepted, for clients (`chat.metadata.attachments`). */
export async function attachmentPolicy(gateway: GatewayContext) {
  const transcription = (await audioTranscribers(gateway)).length > 0;
  return {
    maxCount: MAX_ATTACHMENTS,
    maxBytes: MAX_ATTACHMENT_BYTES,
    maxFileBytes: maxFileBytes(gateway),
    maxTextBytes: MAX_TEXT_FILE_BYTES,
    imageTypes: [...IMAGE_TYPES],
    audio: { transcription, ...(transcription ? {} : { reason: noTranscriptionReason(gateway) }) },
  };
}

const refuse = (message: string) => new GatewayRequestError(ErrorCodes.INVALID_REQUEST, message);

function noTranscriptionReason(gateway: GatewayContext): string {
  return gateway.config().config.tools?.media?.audio?.enabled === false
    ? "voice messages are off (tools.media.audio.enabled is false)"
    : "no transcription provider is set up: set OPENAI_API_KEY or GEMINI_API_KEY, or add an audio model to tools.media.models";
}

async function audioTranscribers(gateway: GatewayContext) {
  const config = gateway.config().config;
  if (config.tools?.media?.audio?.enabled === false) return [];
  const { resolveTranscribers } = await import("../agents/media/transcribe.js");
  const registry = gateway.agents.registry();
  return resolveTranscribers(config, (provider) => {
    try {
      return registry.credentials(provider)[0]?.key;
    } catch {
      return undefined; // a provider the registry does not know has no key
    }
  });
}

interface Decoded {
  name: string;
  mimeType: string;
  kind: AttachmentKind;
  data: Buffer;
  base64: string;
}

/** The base64 payload, its type and name; a data URL's prefix gives the type when none is sent. */
function decode(a: Attachment, index: number): Decoded {
  let base64 = a.content ?? a.data ?? (a.source?.type === "base64" ? a.source.data : undefined) ?? "";
  let mimeType = a.mimeType ?? a.source?.media_type;
  // MediaRecorder's type has parameters: data:audio/webm;codecs=opus;base64,…
  const dataUrl = /^data:([^,]*);base64,/.exec(base64);
  if (dataUrl) {
    mimeType ??= dataUrl[1];
    base64 = base64.slice(dataUrl[0].length);
  }
  const name = a.fileName?.trim() || `attachment ${index + 1}`;
  if (!base64) throw refuse(`attachment ${name}: it is empty (send its bytes base64 in content)`);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64) || base64.length % 4 === 1) {
    throw refuse(`attachment ${name}: content is not valid base64`);
  }
  const extension = /\.([a-z0-9]+)$/i.exec(name)?.[1]?.toLowerCase();
  const type = (mimeType || (extension ? BY_EXTENSION[extension] : undefined) || "").toLowerCase();
  const bare = type.split(";")[0]!.trim();
  const kind: AttachmentKind = IMAGE_TYPES.has(bare)
    ? "image"
    : bare.startsWith("audio/") || (a.type === "audio" && bare === "")
      ? "audio"
      : bare.startsWith("text/") || TEXT_TYPES.has(bare) || (bare === "" && TEXT_EXTENSIONS.test(name))
        ? "text"
        : "file";
  return {
    name,
    mimeType:
      kind === "file"
        ? MIME_TYPE.test(bare)
          ? bare
          : "application/octet-stream"
        : bare || (kind === "text" ? "text/plain" : "audio/webm"),
    kind,
    base64,
    data: Buffer.from(base64, "base64"),
  };
}

const mb = (bytes: number) => `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`;

export interface PreparedMessage {
  text: string;
  images: { data: string; mimeType: string }[];
}

/**
 * The message the agent gets: text files appended as `<file>` blocks, audio replaced by
 * its transcript, images as image content, other files stored in the workspace of
 * `sessionKey`'s agent and named in a `[media attached: …]` note. Throws a request error
 * naming the file and the limit; transcription failures say which providers failed
 * (never a key). Files are stored last, once everything else is accepted.
 */
export async function prepareAttachments(
  gateway: GatewayContext,
  sessionKey: string,
  message: string,
  attachments: readonly Attachment[] | undefined,
  signal: AbortSignal,
): Promise<PreparedMessage> {
  if (!attachments?.length) return { text: message, images: [] };
  const files = attachments.map(decode);
  const total = files.reduce((n, f) => n + f.data.length, 0);
  if (total > MAX_ATTACHMENT_BYTES) {
    throw refuse(
      `attachments: ${mb(total)} in all, over the ${mb(MAX_ATTACHMENT_BYTES)} one message can carry; send fewer or smaller files`,
    );
  }
  const perFile = maxFileBytes(gateway);
  const tooBig = files.find((f) => f.data.length > perFile);
  if (tooBig) {
    throw refuse(
      `attachment ${tooBig.name}: ${mb(tooBig.data.length)} is over the ${mb(perFile)} agents.defaults.mediaMaxMb`,
    );
  }
  const images: PreparedMessage["images"] = [];
  const texts: string[] = [];
  let text = message;
  for (const f of files) {
    if (f.kind === "image") images.push({ data: f.base64, mimeType: f.mimeType });
    else if (f.kind === "text") texts.push(textBlock(f));
    else if (f.kind === "audio") text = await transcribeAttachment(gateway, text, f, signal);
  }
  const others = files.filter((f) => f.kind === "file");
  if (others.length) texts.push(await storeFiles(gateway.agents.agentFor(sessionKey).workspace, others));
  return { text: [text, ...texts].filter((t) => t.trim()).join("\n\n"), images };
}

async function storeFiles(workspace: string, files: Decoded[]): Promise<string> {
  const { storeInboundMedia, mediaAttachedNote } = await import("../agents/media/inbound.js");
  const stored: StoredInbound[] = [];
  for (const f of files) {
    try {
      stored.push(await storeInboundMedia(workspace, f));
    } catch (err) {
      throw new GatewayRequestError(
        ErrorCodes.UNAVAILABLE,
        `attachment ${f.name}: could not be kept in the agent's workspace (${(err as Error).message})`,
        { retryable: true },
      );
    }
  }
  return mediaAttachedNote(stored);
}

/** A text file as a block the model reads as a file (its name escaped so it cannot close the tag). */
function textBlock(f: Decoded): string {
  if (f.data.length > MAX_TEXT_FILE_BYTES) {
    throw refuse(
      `attachment ${f.name}: text files are read up to ${MAX_TEXT_FILE_BYTES / 1024} KB, it has ${Math.ceil(f.data.length / 1024)} KB`,
    );
  }
  const name = f.name.replace(/[<>"&\n]/g, "_");
  return `<file name="${name}" type="${f.mimeType}">\n${f.data.toString("utf8")}\n</file>`;
}

async function transcribeAttachment(
  gateway: GatewayContext,
  caption: string,
  f: Decoded,
  signal: AbortSignal,
): Promise<string> {
  const transcribers = await audioTranscribers(gateway);
  if (transcribers.length === 0) throw refuse(`attachment ${f.name}: ${noTranscriptionReason(gateway)}`);
  if (f.data.length < MIN_AUDIO_BYTES)
    throw refuse(`attachment ${f.name}: the recording is empty; record again`);
  const limit = Math.max(...transcribers.map((t) => t.maxBytes));
  if (f.data.length > limit) {
    throw refuse(
      `attachment ${f.name}: ${mb(f.data.length)} is over the ${mb(limit)} tools.media.audio.maxBytes`,
    );
  }
  const { transcribe } = await import("../agents/media/transcribe.js");
  try {
    const result = await transcribe(
      transcribers,
      { data: f.data, mimeType: f.mimeType, name: f.name },
      signal,
    );
    return audioBlock(caption, result.text, "voice message");
  } catch (err) {
    throw new GatewayRequestError(
      ErrorCodes.UNAVAILABLE,
      `could not transcribe ${f.name} (${(err as Error).message}); try again or type the message`,
      { retryable: true },
    );
  }
}
