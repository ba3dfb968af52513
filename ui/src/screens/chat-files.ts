/**
 * Files for the composer: which the gateway takes (its `chat.metadata.attachments`
 * policy), read as data URLs, checked against its limits before anything is sent, and
 * the `chat.send` attachment shape OpenClaw's clients use.
 */

import type { Turn } from "./chat-model.js";

/** What the gateway says it accepts (`chat.metadata.attachments`). */
export interface AttachmentPolicy {
  maxCount: number;
  maxBytes: number;
  /** One file's cap (`agents.defaults.mediaMaxMb`, at most maxBytes). */
  maxFileBytes: number;
  maxTextBytes: number;
  imageTypes: string[];
  audio: { transcription: boolean; reason?: string };
}

/** `file`: anything else (PDF, video, archive), kept by the gateway in the agent's workspace. */
export type FileKind = "image" | "audio" | "text" | "file";

/** A file in the composer: shown as a preview until sent. */
export interface Outgoing {
  id: string;
  name: string;
  mimeType: string;
  kind: FileKind;
  size: number;
  /** `data:<type>;base64,…`: the preview of an image, and what is sent. */
  content: string;
  durationMs?: number;
}

/** OpenClaw's `chat.send` attachment. */
export interface WireAttachment {
  type: string;
  mimeType: string;
  fileName: string;
  content: string;
  sizeBytes: number;
  durationMs?: number;
}

/** Types the gateway reads as text besides text/*; and names browsers give no type (.md, .ts on some systems). */
const TEXT_TYPES = /^(text\/|application\/(json|xml|x-yaml|yaml|toml|x-sh|javascript|typescript)$)/;
const TEXT_NAMES =
  /\.(txt|md|markdown|csv|tsv|json|jsonl|ya?ml|toml|xml|html?|css|js|mjs|ts|tsx|py|rb|go|rs|java|c|h|cpp|sh|log|ini|conf|sql)$/i;

export function kindOf(policy: AttachmentPolicy, type: string, name: string): FileKind {
  const bare = type.split(";")[0]!.trim().toLowerCase();
  if (policy.imageTypes.includes(bare)) return "image";
  if (bare.startsWith("audio/")) return "audio";
  return TEXT_TYPES.test(bare) || (!bare && TEXT_NAMES.test(name)) ? "text" : "file";
}

/** 1.2 MB, 340 KB: how sizes and limits are shown. */
export function formatSize(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / (1024 * 1024)).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} KB`;
}

export function readDataUrl(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error ?? new Error("could not read the file"));
    reader.readAsDataURL(blob);
  });
}

/** Why a file cannot join the ones already there (a message key and its values), or undefined. */
export function refusal(
  policy: AttachmentPolicy,
  have: readonly Outgoing[],
  file: { name: string; size: number; kind: FileKind },
): { key: RefusalKey; vars: Record<string, string | number> } | undefined {
  const name = file.name;
  if (have.length >= policy.maxCount) return { key: "chat.fileTooMany", vars: { max: policy.maxCount } };
  if (file.kind === "audio" && !policy.audio.transcription) {
    return { key: "chat.voiceNoProvider", vars: { reason: policy.audio.reason ?? "" } };
  }
  const total = have.reduce((n, f) => n + f.size, 0) + file.size;
  const max = file.kind === "text" ? policy.maxTextBytes : policy.maxFileBytes;
  if (file.size > max || total > policy.maxBytes) {
    return { key: "chat.fileTooLarge", vars: { name, size: formatSize(file.size), max: formatSize(max) } };
  }
  return undefined;
}
export type RefusalKey = "chat.fileTooMany" | "chat.voiceNoProvider" | "chat.fileTooLarge";

export function toWire(f: Outgoing): WireAttachment {
  return {
    type: f.kind === "text" ? "file" : f.kind,
    mimeType: f.mimeType,
    fileName: f.name,
    content: f.content,
    sizeBytes: f.size,
    ...(f.durationMs !== undefined ? { durationMs: f.durationMs } : {}),
  };
}

/** A photo's longest side after downscaling: what vision models read (larger ones are scaled down by them anyway). */
const PHOTO_MAX_SIDE = 2048;
/**
 * Steps tried in turn until the photo fits: long side and JPEG quality. The first is
 * hardly distinguishable from the original at chat size; the last still reads text.
 */
const SHRINK_STEPS: readonly [side: number, quality: number][] = [
  [PHOTO_MAX_SIDE, 0.85],
  [1600, 0.8],
  [1280, 0.72],
];
/** A photo over this share of a message's budget is re-encoded even when small enough in pixels: four phone photos fit one message. */
const PHOTO_SHARE = 4;

/**
 * A photo re-encoded smaller when it is larger than needed (over PHOTO_MAX_SIDE pixels
 * or over its share of `budget`), as JPEG with the camera's orientation applied (a
 * phone's photo stands upright). The original when it is already small, animated
 * (GIF), or the browser cannot decode it; the gateway's limits are checked after.
 */
export async function shrinkImage(
  blob: Blob,
  name: string,
  budget: number,
): Promise<{ blob: Blob; name: string }> {
  if (blob.type === "image/gif" || typeof createImageBitmap !== "function") return { blob, name };
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(blob, { imageOrientation: "from-image" });
  } catch {
    return { blob, name };
  }
  const share = budget / PHOTO_SHARE;
  const long = Math.max(bitmap.width, bitmap.height);
  let best = blob;
  try {
    if (long <= PHOTO_MAX_SIDE && blob.size <= share) return { blob, name };
    for (const [side, quality] of SHRINK_STEPS) {
      const out = await encodeJpeg(bitmap, Math.min(1, side / long), quality);
      if (out.size < best.size) best = out;
      if (best.size <= share) break;
    }
  } finally {
    bitmap.close();
  }
  return best === blob ? { blob, name } : { blob: best, name: name.replace(/(\.[^.]*)?$/, ".jpg") };
}

function encodeJpeg(bitmap: ImageBitmap, scale: number, quality: number): Promise<Blob> {
  const canvas = document.createElement("canvas");
  canvas.width = Math.max(1, Math.round(bitmap.width * scale));
  canvas.height = Math.max(1, Math.round(bitmap.height * scale));
  const ctx = canvas.getContext("2d")!;
  // JPEG has no transparency: a screenshot's clear pixels become white, not black.
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  return new Promise((resolve, reject) =>
    canvas.toBlob(
      (b) => (b ? resolve(b) : reject(new Error("could not encode the photo"))),
      "image/jpeg",
      quality,
    ),
  );
}

/** A file in the user's bubble: an image as itself, anything else as a named chip. */
export function filePart(f: Outgoing): Turn["parts"][number] {
  if (f.kind === "image") return { kind: "image", src: f.content };
  return { kind: "file", name: f.name, ...(f.kind === "audio" ? { audio: true } : {}) };
}
