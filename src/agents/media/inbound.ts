/**
 * Files a user sends that the model cannot take as content (a PDF, a video, an archive):
 * kept in the agent's workspace under `media/inbound/` (where OpenClaw stages inbound
 * media for a sandboxed agent) so its `read` and `exec` tools can open them, and named
 * in the message with OpenClaw's `[media attached: <path> (<type>) "<name>"]` note.
 *
 * The user's file name is only ever shown, never used as a path: the stored name is a
 * random id plus a short extension, created exclusively (never overwriting), with no
 * execute bit, in a folder that must resolve inside the workspace.
 */
import { randomUUID } from "node:crypto";
import { constants } from "node:fs";
import { mkdir, open } from "node:fs/promises";
import path from "node:path";
import { resolveInWorkspace } from "../tools/confine.js";

/** Where inbound files go, relative to the workspace (OpenClaw's sandbox-relative `media/inbound/`). */
export const INBOUND_MEDIA_DIR = "media/inbound";
/** Read and write for the gateway's user only: a stored file is data, never a program. */
const FILE_MODE = 0o600;
/** An extension is kept only when short and plain (`pdf`, `tar`, `mp4`); anything else is `bin`. */
const SAFE_EXTENSION = /\.([a-z0-9]{1,10})$/i;
/** Extensions for types sent without a usable name. */
const BY_TYPE: Record<string, string> = {
  "application/pdf": "pdf",
  "application/zip": "zip",
  "video/mp4": "mp4",
  "video/webm": "webm",
  "video/quicktime": "mov",
};

export interface InboundFile {
  /** The name the user gave (shown to the model, never used as a path). */
  name: string;
  mimeType: string;
  data: Buffer;
}

export interface StoredInbound {
  /** Relative to the workspace, `/`-separated: what the tools take. */
  path: string;
  mimeType: string;
  name: string;
}

/** Stores `file` under the workspace's `media/inbound/` with a fresh name; refuses a folder that leads outside it. */
export async function storeInboundMedia(workspace: string, file: InboundFile): Promise<StoredInbound> {
  await mkdir(workspace, { recursive: true });
  // The agent can write in its workspace: `media` could be its symlink to elsewhere. Checked before and after creating.
  await mkdir(await resolveInWorkspace(workspace, INBOUND_MEDIA_DIR), { recursive: true });
  const dir = await resolveInWorkspace(workspace, INBOUND_MEDIA_DIR);
  const extension = SAFE_EXTENSION.exec(file.name)?.[1]?.toLowerCase() ?? BY_TYPE[file.mimeType] ?? "bin";
  const stored = `${randomUUID()}.${extension}`;
  // O_EXCL: never an existing file; O_NOFOLLOW: never through a symlink planted under that name.
  const handle = await open(
    path.join(dir, stored),
    constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
    FILE_MODE,
  );
  try {
    await handle.writeFile(file.data);
  } finally {
    await handle.close();
  }
  return { path: `${INBOUND_MEDIA_DIR}/${stored}`, mimeType: file.mimeType, name: file.name };
}

/** A value inside the note's brackets: no control characters, no `[` or `]` that would end it or forge another. */
const inline = (v: string) =>
  v
    .replace(/[\p{Cc}[\]]+/gu, " ")
    .replace(/\s+/g, " ")
    .trim();

/** OpenClaw's note for stored files: one line, or a count then one numbered line each. */
export function mediaAttachedNote(files: readonly StoredInbound[]): string {
  const line = (f: StoredInbound, prefix: string) =>
    `${prefix}${f.path} (${inline(f.mimeType)}) ${JSON.stringify(inline(f.name).slice(0, 256))}]`;
  if (files.length === 1) return line(files[0]!, "[media attached: ");
  return [
    `[media attached: ${files.length} files]`,
    ...files.map((f, i) => line(f, `[media attached ${i + 1}/${files.length}: `)),
  ].join("\n");
}
