/**
 * Files for the composer: which the gateway takes (its `chat.metadata.attachments`
 * policy), read as data URLs, checked against its limits before anything is sent, and
 * the `chat.send` attachment shape OpenClaw's clients use.
 */

/** What the gateway says it accepts (`chat.metadata.attachments`). */
export interface AttachmentPolicy {
  maxCount: number;
  maxBytes: number;
  maxTextBytes: number;
  imageTypes: string[];
  audio: { transcription: boolean; reason?: string };
}

export type FileKind = "image" | "audio" | "text";

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

/** What the file input offers (the gateway still checks). */
export const ACCEPT =
  "image/png,image/jpeg,image/gif,image/webp,audio/*,text/*,.md,.json,.jsonl,.yaml,.yml,.csv,.log,.ts,.py";

export function kindOf(policy: AttachmentPolicy, type: string, name: string): FileKind | undefined {
  const bare = type.split(";")[0]!.trim().toLowerCase();
  if (policy.imageTypes.includes(bare)) return "image";
  if (bare.startsWith("audio/")) return "audio";
  if (TEXT_TYPES.test(bare) || (!bare && TEXT_NAMES.test(name))) return "text";
  return undefined;
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
  file: { name: string; size: number; kind: FileKind | undefined },
): { key: RefusalKey; vars: Record<string, string | number> } | undefined {
  const name = file.name;
  if (!file.kind) return { key: "chat.fileUnsupported", vars: { name } };
  if (have.length >= policy.maxCount) return { key: "chat.fileTooMany", vars: { max: policy.maxCount } };
  if (file.kind === "audio" && !policy.audio.transcription) {
    return { key: "chat.voiceNoProvider", vars: { reason: policy.audio.reason ?? "" } };
  }
  const total = have.reduce((n, f) => n + f.size, 0) + file.size;
  const max = file.kind === "text" ? policy.maxTextBytes : policy.maxBytes;
  if (file.size > max || total > policy.maxBytes) {
    return { key: "chat.fileTooLarge", vars: { name, size: formatSize(file.size), max: formatSize(max) } };
  }
  return undefined;
}
export type RefusalKey =
  | "chat.fileUnsupported"
  | "chat.fileTooMany"
  | "chat.voiceNoProvider"
  | "chat.fileTooLarge";

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
