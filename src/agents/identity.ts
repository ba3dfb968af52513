/**
 * The assistant's identity as chats show it (OpenClaw's `agent.identity.get`): a
 * name, an emoji and an avatar, from `agents.list[].identity`, else the workspace's
 * IDENTITY.md (`Name:`, `Emoji:`, `Avatar:` lines), else the defaults. Avatars are
 * only ever handed out as raster `data:` URIs (inline, same origin, capped) or short
 * text (an emoji, a letter): a workspace path or a remote URL is not served, so the
 * chat falls back to the emoji or the name's first letter and says why.
 */
import { readFileSync } from "node:fs";
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
  /** A raster data URI, or short text (emoji or initial) to show in a circle. */
  avatar: string;
  emoji?: string;
  avatarStatus: "data" | "none";
  /** Why a configured avatar is not shown (its kind, never its content). */
  avatarReason?: "unsupported_uri" | "local_file_not_served" | "too_large";
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

function avatarOf(source: string | undefined): AvatarChoice {
  const v = source?.trim();
  if (!v) return { avatarStatus: "none" };
  if (RASTER_DATA_URL.test(v)) {
    return v.length <= MAX_AVATAR_DATA_URL_CHARS
      ? { avatar: v, avatarStatus: "data" }
      : { avatarStatus: "none", avatarReason: "too_large" };
  }
  if (/^[a-z][a-z0-9+.-]*:/i.test(v)) return { avatarStatus: "none", avatarReason: "unsupported_uri" };
  if (/[/\\.]/.test(v)) return { avatarStatus: "none", avatarReason: "local_file_not_served" };
  // Short text (an emoji or a letter or two) is shown as itself.
  return v.length <= 4 && !/\s/.test(v) ? { avatar: v, avatarStatus: "none" } : { avatarStatus: "none" };
}

/** The identity of `agentId`: its config entry's `identity` (and `name`), then its workspace's IDENTITY.md. */
export function resolveAssistantIdentity(
  agentId: string,
  configured: IdentityFields & { entryName?: string | undefined },
  workspace: string,
): AssistantIdentity {
  const file = readWorkspaceIdentity(workspace);
  const fromAgent = trimmed(configured.name ?? configured.entryName, MAX_NAME_CHARS);
  const fromFile = trimmed(file.name, MAX_NAME_CHARS);
  const name = fromAgent ?? fromFile ?? DEFAULT_ASSISTANT_NAME;
  const emoji = emojiOf(configured.emoji) ?? emojiOf(file.emoji);
  const chosen = avatarOf(configured.avatar ?? file.avatar);
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
