import { randomUUID } from "node:crypto";
import { z } from "zod";
import { canonicalSessionKey } from "../../routing/session-key.js";
import { activeBranch, forkPrefix, isBranchTip, listBranches } from "../../sessions/branch.js";
import type { SessionEntry } from "../../sessions/store.js";
import type { TranscriptEntry, TranscriptLine } from "../../sessions/transcript.js";
import type { GatewayContext } from "../context.js";
import { ErrorCodes, GatewayRequestError } from "../protocol.js";
import { messageText } from "./sessions.js";
import { defineMethod } from "./types.js";

/**
 * A conversation's branches, in OpenClaw's terms: a rewind (edit, regenerate) leaves the
 * turns it went back over on a branch of their own; `sessions.branches.list` lists every
 * branch, `sessions.branches.switch` makes one the conversation again (a `leaf` marker,
 * append-only), `sessions.fork` copies the conversation before one of the user's messages
 * into a new session (and gives the message back for its composer).
 */

const sessionKey = z.string().min(1).max(512);
const agentId = z.string().min(1).max(64).optional();
/** Session fields a fork inherits: how the conversation was being had (model, thinking). */
const INHERITED = [
  "modelOverride",
  "providerOverride",
  "modelOverrideSource",
  "thinkingLevel",
  "fastMode",
] as const;

const invalid = (message: string) => new GatewayRequestError(ErrorCodes.INVALID_REQUEST, message);

/** The session `p` names, checked against `agentId` when given; throws when there is none. */
async function sessionOf(gateway: GatewayContext, p: { sessionKey: string; agentId?: string | undefined }) {
  const key = canonicalSessionKey(gateway.config().config.agents?.list, p.sessionKey);
  const owner = gateway.agents.agentFor(key).id;
  if (p.agentId !== undefined && p.agentId !== owner) {
    throw invalid(`agentId: session ${key} belongs to agent "${owner}", not "${p.agentId}"`);
  }
  const store = await gateway.agents.store(owner);
  const entry = store.get(key);
  return { key, owner, store, entry };
}

/** Refuses while a run is going: it would write on the branch being left or copied. */
function idleOrThrow(gateway: GatewayContext, key: string, what: string): void {
  if (gateway.agents.activeRunIds(key).length > 0) {
    throw new GatewayRequestError(
      ErrorCodes.UNAVAILABLE,
      `${what} is unavailable while the agent is working: stop the run (chat.abort) or wait for it to end.`,
    );
  }
}

/** The user message `entryId` on the active branch (what rewind and fork cut before), or a clear refusal. */
export function userMessageOnPath(lines: readonly TranscriptLine[], entryId: string): TranscriptEntry {
  const target = lines.find((l): l is TranscriptEntry => l.type !== "session" && l.id === entryId);
  if (!target) throw invalid(`message entry not found: ${entryId} (ids are in chat.history)`);
  if (target.type !== "message" || target.message?.role !== "user") {
    throw invalid(`entry is not a user message: ${entryId}`);
  }
  if (!activeBranch(lines).includes(target))
    throw invalid(`message entry is not on the active path: ${entryId}`);
  return target;
}

/** The message's text and images, for the composer (OpenClaw's `editorText`, `editorAttachments`). */
export function editorFields(target: TranscriptEntry) {
  const images = ((target.message?.content ?? []) as { type?: string; data?: unknown; mimeType?: unknown }[])
    .filter((b) => b?.type === "image" && typeof b.data === "string" && typeof b.mimeType === "string")
    .map((b) => ({ mimeType: String(b.mimeType), data: String(b.data) }));
  const text = target.message ? messageText(target.message) : "";
  return {
    ...(text ? { editorText: text } : {}),
    ...(images.length > 0 ? { editorAttachments: images } : {}),
  };
}

export const sessionBranchMethods = {
  /** Every branch of the conversation: the active one first, then newest first. */
  "sessions.branches.list": defineMethod({
    scope: "operator.read",
    params: z.strictObject({ sessionKey, agentId }),
    handle: async (p, { gateway }) => {
      const { store, entry } = await sessionOf(gateway, p);
      if (!entry) return { branches: [] };
      const lines = await store.transcript(entry.sessionId).readAll();
      return { branches: listBranches(lines, (m) => (m ? messageText(m) : "")) };
    },
  }),
  /** Makes the branch ending at `leafEntryId` the conversation: a `leaf` marker, fsynced. */
  "sessions.branches.switch": defineMethod({
    scope: "operator.admin",
    params: z.strictObject({ sessionKey, agentId, leafEntryId: z.string().min(1).max(256) }),
    handle: async (p, { gateway }) => {
      const { key, store, entry } = await sessionOf(gateway, p);
      if (!entry) throw invalid(`session not found: ${key}`);
      if (entry.archivedAt !== undefined) {
        throw invalid(
          "Branch switch is unavailable for archived sessions: unarchive it first (sessions.patch).",
        );
      }
      idleOrThrow(gateway, key, "Branch switch");
      await store.transcript(entry.sessionId).moveLeaf((lines) => {
        if (!lines.some((l) => l.type !== "session" && l.id === p.leafEntryId)) {
          throw invalid(`branch entry not found: ${p.leafEntryId} (ids are in sessions.branches.list)`);
        }
        if (activeBranch(lines).findLast((l) => l.type !== "session")?.id === p.leafEntryId) {
          throw invalid(`branch is already active: ${p.leafEntryId}`);
        }
        if (!isBranchTip(lines, p.leafEntryId)) throw invalid(`entry is not a branch tip: ${p.leafEntryId}`);
        return p.leafEntryId;
      });
      return {};
    },
  }),
  /**
   * A new session (`agent:<id>:dashboard:<uuid>`) holding the conversation before one of
   * the user's messages; the message comes back for the new session's composer. The
   * source session is not touched.
   */
  "sessions.fork": defineMethod({
    scope: "operator.write",
    params: z.strictObject({ sessionKey, agentId, entryId: z.string().min(1).max(256) }),
    handle: async (p, { gateway }) => {
      const { key, owner, store, entry } = await sessionOf(gateway, p);
      if (!entry) throw invalid(`session not found: ${key}`);
      idleOrThrow(gateway, key, "Fork");
      const lines = await store.transcript(entry.sessionId).readAll();
      const target = userMessageOnPath(lines, p.entryId);
      const forkKey = `agent:${owner}:dashboard:${randomUUID()}`;
      const inherited: Partial<SessionEntry> = {};
      for (const field of INHERITED) if (entry[field] !== undefined) inherited[field] = entry[field];
      await store.createWith(forkKey, forkPrefix(lines, p.entryId) as TranscriptEntry[], {
        ...inherited,
        forkSource: { sessionKey: key, sessionId: entry.sessionId, entryId: p.entryId },
      });
      return { sessionKey: forkKey, ...editorFields(target) };
    },
  }),
};
