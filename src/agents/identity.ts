/**
 * The assistant's identity as chats show it (OpenClaw's `agent.identity.get`): a
 * name, an emoji and an avatar, from `agents.list[].identity`, else the workspace's
 * IDENTITY.md (`Name:`, `Emoji:`, `Avatar:` lines), else the defaults. Avatars are
 * only ever handed out as raster `data:` URIs (inline, same origin, capped), a
 * same-origin URL the gateway serves (larger workspace files), or short text (an
 * emoji, a letter). A path is read only when it resolves inside the workspace
 * (symlinks out refused), is at most 2 MB (OpenClaw's limit), and its bytes are PNG,
 * JPEG, GIF or WebP. A remote URL is not fetched and not passed on: the Control UI's
 * CSP loads images from its own origin only. Otherwise the chat falls back to the
 * emoji or the name's first letter and the answer says why.
 */
import { createHash } from "node:crypto";
import { closeSync, constants, fstatSync, openSync, readFileSync, readSync, realpathSync } from "node:fs";
import path from "node:path";

/** OpenClaw's defaults for an agent that says nothing about itself. */
export const DEFAULT_ASSISTANT_NAME = "Assistant";
/** Names longer than this are cut (OpenClaw's limit: a chat header, not a paragraph). */
const MAX_NAME_CHARS = 50;
/** An emoji sequence (flags, families, skin tones) fits in 16 UTF-16 units; more is not an emoji. */
const MAX_EMOJI_CHARS = 16;
/** A 2 MB image as base64 (OpenClaw's avatar cap): every identity answer carries it, so no bigger. */
export const MAX_AVATAR_DATA_URL_CHARS = Math.ceil((2 * 1024 * 1024) / 3) * 4 + 32;
/** IDENTITY.md is a few lines; a larger file is not read (it would be read on every chat open). */
const MAX_IDENTITY_FILE_BYTES = 64 * 1024;
/**
 * Up to this size an avatar file is inlined in the identity answer (every chat open
 * carries it): 256 KB is a 512 px photo, more than a chat's 28 px circle needs.
 */
export const MAX_INLINE_AVATAR_BYTES = 256 * 1024;
/** Larger files, up to OpenClaw's 2 MB, are served by the gateway's avatar route. */
export const MAX_AVATAR_FILE_BYTES = 2 * 1024 * 1024;
/** Raster types only: an SVG can carry script. */
const RASTER_DATA_URL = /^data:image\/(png|jpeg|gif|webp);base64,[a-z0-9+/]+=*$/i;
/** Lines the IDENTITY.md template leaves as prompts, not values. */
const PLACEHOLDER =
  /^(not set yet|pick something you like|workspace-relative path, http\(s\) url, or data uri)$/i;

export interface IdentityFields {
  name?: string | undefined;
  emoji?: string | undefined;
  avatar?: string | undefined;
}

export interface AssistantIdentity {
  agentId: string;
  name: string;
  nameSource: "agent" | "workspace" | "default";
  /** A raster data URI, a same-origin path (`/avatar/<id>?…`), or short text (emoji or initial). */
  avatar: string;
  emoji?: string;
  /** `local`: read from a workspace file (OpenClaw's kind), handed out as a data URI or a route URL. */
  avatarStatus: "data" | "local" | "none";
  /** Why a configured avatar is not shown (OpenClaw's reasons; its kind, never its content). */
  avatarReason?:
    | "unsupported_uri"
    | "outside_workspace"
    | "missing"
    | "too_large"
    | "unsupported_image"
    | "unreadable";
}

/** `Name: Samantha` / `- **Emoji:** 🦥` lines of a human-written IDENTITY.md. */
export function parseIdentityMarkdown(text: string): IdentityFields {
  const out: IdentityFields = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(?:[-*]\s*)?[*_`]*(name|emoji|avatar)[*_`]*\s*:\s*(.+)$/i.exec(line);
    if (!m) continue;
    const value = m[2]!.replace(/^[*_`\s]+|[*_`\s]+$/g, "").trim();
    if (!value || PLACEHOLDER.test(value)) continue;
    out[m[1]!.toLowerCase() as keyof IdentityFields] ??= value;
  }
  return out;
}

function readWorkspaceIdentity(workspace: string): IdentityFields {
  try {
    const buf = readFileSync(path.join(workspace, "IDENTITY.md"));
    return buf.length > MAX_IDENTITY_FILE_BYTES ? {} : parseIdentityMarkdown(buf.toString("utf8"));
  } catch {
    return {};
  }
}

const trimmed = (v: string | undefined, max: number) => {
  const t = v?.trim();
  return t ? [...t].slice(0, max).join("") : undefined;
};
/** Text with something beyond ASCII and no spaces: an emoji, not a word or a path. */
const emojiOf = (v: string | undefined) => {
  const t = trimmed(v, MAX_EMOJI_CHARS);
  return t && /[^\x00-\x7f]/.test(t) && !/[\s/:]/.test(t) ? t : undefined;
};

type AvatarChoice = Pick<AssistantIdentity, "avatarStatus" | "avatarReason"> & { avatar?: string };

/** The URL the gateway serves a large avatar file at (`revision` changes with the file). */
export type AvatarUrl = (revision: string) => string;

function avatarOf(source: string | undefined, workspace: string, routeUrl?: AvatarUrl): AvatarChoice {
  const v = source?.trim();
  if (!v) return { avatarStatus: "none" };
  if (RASTER_DATA_URL.test(v)) {
    return v.length <= MAX_AVATAR_DATA_URL_CHARS
      ? { avatar: v, avatarStatus: "data" }
      : { avatarStatus: "none", avatarReason: "too_large" };
  }
  if (/^[a-z][a-z0-9+.-]*:/i.test(v)) return { avatarStatus: "none", avatarReason: "unsupported_uri" };
  if (/[/\\.]/.test(v)) return avatarFile(workspace, v, routeUrl);
  // Short text (an emoji or a letter or two) is shown as itself.
  return v.length <= 4 && !/\s/.test(v) ? { avatar: v, avatarStatus: "none" } : { avatarStatus: "none" };
}

const inside = (root: string, p: string) => p === root || p.startsWith(root + path.sep);
const none = (avatarReason: NonNullable<AssistantIdentity["avatarReason"]>): AvatarChoice => ({
  avatarStatus: "none",
  avatarReason,
});

/** The image type its first bytes say; never SVG or anything else that is not a raster. */
function rasterType(b: Buffer): string | undefined {
  if (b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])))
    return "image/png";
  if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return "image/jpeg";
  if (/^GIF8[79]a/.test(b.toString("latin1", 0, 6))) return "image/gif";
  if (b.toString("latin1", 0, 4) === "RIFF" && b.toString("latin1", 8, 12) === "WEBP") return "image/webp";
  return undefined;
}

/** An avatar file as read: its sniffed type, a revision that changes with the file, and its bytes. */
export interface AvatarFile {
  type: string;
  revision: string;
  size: number;
  bytes: Buffer;
}

/**
 * Reads a workspace avatar file: inside the workspace after symlinks, a regular file of at
 * most `maxBytes`, a raster image by its bytes. `whole: false` reads only the first bytes
 * (enough to sniff the type), for a file the route will serve.
 */
export function readAvatarFile(
  workspace: string,
  source: string,
  opts: { maxBytes: number; whole: boolean },
): AvatarFile | NonNullable<AssistantIdentity["avatarReason"]> {
  let root: string;
  let real: string;
  try {
    root = realpathSync(workspace);
    if (!inside(root, path.resolve(root, source))) return "outside_workspace";
    real = realpathSync(path.resolve(root, source));
  } catch {
    return "missing";
  }
  if (!inside(root, real)) return "outside_workspace";
  let fd: number;
  try {
    // O_NOFOLLOW: a link swapped in after realpath is not followed.
    fd = openSync(real, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch {
    return "unreadable";
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) return "missing";
    if (stat.size > opts.maxBytes) return "too_large";
    const buf = Buffer.alloc(opts.whole ? stat.size : Math.min(stat.size, 16));
    const bytes = buf.subarray(0, readSync(fd, buf, 0, buf.length, 0));
    const type = rasterType(bytes);
    if (!type) return "unsupported_image";
    const revision = createHash("sha256")
      .update(`${real}\0${stat.ino}\0${stat.size}\0${stat.mtimeMs}`)
      .digest("base64url")
      .slice(0, 16);
    return { type, revision, size: stat.size, bytes };
  } catch {
    return "unreadable";
  } finally {
    closeSync(fd);
  }
}

/** A workspace file as a data URI when small, else as the route's URL (when there is a route). */
function avatarFile(workspace: string, source: string, routeUrl: AvatarUrl | undefined): AvatarChoice {
  const found = readAvatarFile(workspace, source, {
    maxBytes: routeUrl ? MAX_AVATAR_FILE_BYTES : MAX_INLINE_AVATAR_BYTES,
    whole: false,
  });
  if (typeof found === "string") return none(found);
  if (found.size > MAX_INLINE_AVATAR_BYTES)
    return { avatar: routeUrl!(found.revision), avatarStatus: "local" };
  const whole = readAvatarFile(workspace, source, { maxBytes: MAX_INLINE_AVATAR_BYTES, whole: true });
  if (typeof whole === "string") return none(whole);
  return { avatar: `data:${whole.type};base64,${whole.bytes.toString("base64")}`, avatarStatus: "local" };
}

/** The avatar an agent's identity names: its config entry's, else its IDENTITY.md's. */
export function avatarSourceOf(configured: IdentityFields, workspace: string): string | undefined {
  return (configured.avatar ?? readWorkspaceIdentity(workspace).avatar)?.trim() || undefined;
}

/** The identity of `agentId`: its config entry's `identity` (and `name`), then its workspace's IDENTITY.md. */
export function resolveAssistantIdentity(
  agentId: string,
  configured: IdentityFields & { entryName?: string | undefined },
  workspace: string,
  /** Where the gateway serves files over the inline size; without it they are `too_large`. */
  routeUrl?: AvatarUrl,
): AssistantIdentity {
  const file = readWorkspaceIdentity(workspace);
  const fromAgent = trimmed(configured.name ?? configured.entryName, MAX_NAME_CHARS);
  const fromFile = trimmed(file.name, MAX_NAME_CHARS);
  const name = fromAgent ?? fromFile ?? DEFAULT_ASSISTANT_NAME;
  const emoji = emojiOf(configured.emoji) ?? emojiOf(file.emoji);
  const chosen = avatarOf(configured.avatar ?? file.avatar, workspace, routeUrl);
  return {
    agentId,
    name,
    nameSource: fromAgent ? "agent" : fromFile ? "workspace" : "default",
    // OpenClaw's order: the avatar, then the emoji, then the name's first letter.
    avatar: chosen.avatar ?? emoji ?? [...name][0]!.toUpperCase(),
    ...(emoji ? { emoji } : {}),
    avatarStatus: chosen.avatarStatus,
    ...(chosen.avatarReason ? { avatarReason: chosen.avatarReason } : {}),
  };
}
