import { z } from "zod";
import { type AgentListEntry, resolveKnownAgentId } from "../../routing/known-agents.js";
import type { GatewayContext } from "../context.js";
import { ErrorCodes, GatewayRequestError } from "../protocol.js";
import { archivedParam, patchSession, sessionPatch, sessionRow } from "./sessions.js";
import { defineMethod } from "./types.js";

/**
 * Transcript search and bulk changes, in OpenClaw's shapes: `sessions.search` (its Threads
 * page and command palette) answers from the FTS5 index the session store feeds on every
 * append, so a query never reads transcript files; `sessions.patchMany` archives, restores
 * or relabels many sessions in one request.
 */

const agentList = (gateway: GatewayContext): readonly AgentListEntry[] | undefined =>
  gateway.config().config.agents?.list;

/** Longest query: a phrase, not a document. */
const MAX_QUERY_CHARS = 200;
/** Matches one answer carries when none is asked for (OpenClaw's UI asks for 25), and the most. */
const DEFAULT_RESULTS = 25;
const MAX_RESULTS = 100;
/** Characters of a message around the match shown as its snippet. */
const SNIPPET_CHARS = 160;
/** Sessions one `sessions.patchMany` may change: a page of the Sessions screen, with room. */
const MAX_PATCH_TARGETS = 500;

export const sessionSearchMethods = {
  "sessions.search": defineMethod({
    scope: "operator.read",
    params: z.object({
      query: z.string().trim().min(1, { error: "query: give the words to look for" }).max(MAX_QUERY_CHARS),
      limit: z.number().int().min(1).optional(),
      // OpenClaw's UI sends its whole list filter here: the agent and the archive filter are used.
      scope: z.object({ agentId: z.string().optional(), archived: archivedParam }).passthrough().optional(),
    }),
    handle: async (p, { gateway }) => {
      const agentId =
        p.scope?.agentId === undefined
          ? gateway.agents.defaultAgentId()
          : resolveKnownAgentId(agentList(gateway), p.scope.agentId);
      const store = await gateway.agents.store(agentId);
      const limit = Math.min(p.limit ?? DEFAULT_RESULTS, MAX_RESULTS);
      // Messages a crash kept out of the index, and rewound branches, first (a bounded step).
      await store.catchUpSearch();
      const archived = p.scope?.archived;
      const found = store.searchTranscripts({
        text: p.query,
        limit,
        includeArchived: archived === true || archived === "all",
      });
      if (!found) {
        throw new GatewayRequestError(
          ErrorCodes.UNAVAILABLE,
          `transcript search needs SQLite's FTS5, which this Node (${process.version}) lacks: use Node >= 22.16`,
        );
      }
      // Archived-only: the index answered for both, keep the archived ones.
      const hits = archived === true ? found.hits.filter((h) => h.archived) : found.hits;
      const results = hits.map((h) => ({
        sessionKey: h.key,
        sessionId: h.sessionId,
        messageId: h.entryId,
        role: h.role,
        timestamp: h.timestamp,
        score: h.score,
        snippet: snippet(h.text, p.query),
        ...(h.archived ? { archived: true } : {}),
      }));
      const keys = [...new Set(results.map((r) => r.sessionKey))];
      const sessions = keys.flatMap((key) => {
        const entry = store.get(key);
        return entry ? [sessionRow(key, entry)] : [];
      });
      return {
        ts: Date.now(),
        agentId,
        query: p.query,
        results,
        sessions,
        truncated: results.length === limit,
        indexing: found.indexing,
        ...(found.scanLimited ? { scanLimited: true } : {}),
      };
    },
  }),
  "sessions.patchMany": defineMethod({
    scope: "operator.admin",
    params: z.object({
      targets: z
        .array(
          z.object({ key: z.string().min(1).max(512), expectedSessionId: z.string().max(128).optional() }),
        )
        .min(1)
        .max(MAX_PATCH_TARGETS),
      patch: sessionPatch,
    }),
    handle: async (p, { gateway }) => {
      // Each target on its own: one that fails (reset since listed, a main session) is reported, the others applied.
      const results = [];
      for (const target of p.targets) {
        try {
          const { key, entry } = await patchSession(gateway, target.key, p.patch, target.expectedSessionId);
          results.push({ key, ok: true, entry });
        } catch (err) {
          results.push({ key: target.key, ok: false, error: (err as Error).message });
        }
      }
      return { ok: results.every((r) => r.ok), results };
    },
  }),
};

/** About SNIPPET_CHARS of `text` around the first case-insensitive match of `query`, whitespace folded. */
export function snippet(text: string, query: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  const at = Math.max(0, flat.toLowerCase().indexOf(query.trim().toLowerCase()));
  const start = Math.max(0, Math.min(at - SNIPPET_CHARS / 3, flat.length - SNIPPET_CHARS));
  const cut = flat.slice(start, start + SNIPPET_CHARS);
  return `${start > 0 ? "…" : ""}${cut}${start + SNIPPET_CHARS < flat.length ? "…" : ""}`;
}
