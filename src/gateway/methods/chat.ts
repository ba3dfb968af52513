import { z } from "zod";
import { CHAT_COMMANDS } from "../../agents/commands.js";
import type { FallbackStep } from "../../providers/index.js";
import type { AgentListEntry } from "../../routing/known-agents.js";
import { canonicalSessionKey } from "../../routing/session-key.js";
import { type FallbackNoteData, fallbackNoteOf } from "../../sessions/notes.js";
import type { TranscriptEntry, TranscriptLine } from "../../sessions/transcript.js";
import {
  attachment,
  attachmentPolicy,
  MAX_ATTACHMENTS,
  PREPARE_TIMEOUT_MS,
  prepareAttachments,
} from "../chat-attachments.js";
import { fallbackData } from "../chat-events.js";
import type { GatewayContext } from "../context.js";
import { ErrorCodes, GatewayRequestError } from "../protocol.js";
import { oneTurnThinking } from "./session-thinking.js";
import { fastModeParam, sessionModelDefaults, sessionRow } from "./sessions.js";
import { defineMethod } from "./types.js";

/**
 * Chat over the gateway, as OpenClaw's WebChat and Control UI use it: `chat.send`
 * acknowledges at once with a runId and streams `chat` events; the same
 * idempotencyKey never runs twice. Sessions and models alongside.
 */

/** `agents.list`, for the one session-key canonicalisation and agent check (routing/). */
const agentList = (gateway: GatewayContext): readonly AgentListEntry[] | undefined =>
  gateway.config().config.agents?.list;

const sessionKey = z.string().min(1).max(512);
const idempotencyKey = z.string().min(1).max(256);
/** Messages `chat.history` returns when no limit is asked for, and the most it returns. */
const DEFAULT_HISTORY = 200;
const MAX_HISTORY = 1000;

const historyParams = z.object({
  sessionKey,
  limit: z.number().int().min(1).max(MAX_HISTORY).optional(),
  maxBytes: z.number().int().min(1).optional(),
});

/** The last `limit` messages of a session, with OpenClaw's paging fields and the session's row. */
async function chatHistory(gateway: GatewayContext, p: z.infer<typeof historyParams>) {
  const agents = gateway.agents;
  const key = canonicalSessionKey(agentList(gateway), p.sessionKey);
  const agentId = agents.agentFor(key).id;
  const store = await agents.store(agentId);
  const entry = store.get(key);
  const defaults = sessionModelDefaults(gateway, agentId);
  const base = { sessionKey: key, defaults };
  if (!entry) return { ...base, sessionId: null, messages: [], hasMore: false, totalMessages: 0 };
  const { entries, fallbacks } = messagesWithNotes(await store.transcript(entry.sessionId).read());
  const kept = entries.slice(-(p.limit ?? DEFAULT_HISTORY));
  const first = entries.length - kept.length;
  const messages = kept.map((e, i) => ({
    ...e.message,
    ...(e.message?.role === "user" ? { content: userContent(e.message.content) } : {}),
    // The failover's move, in the shape of the live lifecycle event (OpenClaw's clients ignore the field).
    ...(fallbacks.has(e.id) ? { fallback: fallbacks.get(e.id) } : {}),
    id: e.id,
    // Epoch milliseconds, as OpenClaw sends them (our transcript keeps ISO text).
    timestamp: Date.parse(e.timestamp),
    // Where OpenClaw's UI keys and orders a message.
    __openclaw: { id: e.id, seq: first + i + 1 },
  }));
  return {
    ...base,
    sessionId: entry.sessionId,
    messages,
    hasMore: first > 0,
    totalMessages: entries.length,
    sessionInfo: sessionRow(key, entry, agents.activeRunIds(key)),
  };
}

/**
 * The message entries, and for the first assistant message after each fallback note
 * (the answer, or the error, of the model that took over) that note as lifecycle data.
 */
function messagesWithNotes(lines: readonly TranscriptLine[]) {
  const entries: TranscriptEntry[] = [];
  const fallbacks = new Map<string, Record<string, unknown>>();
  let note: FallbackNoteData | undefined;
  for (const line of lines) {
    if (line.type === "session") continue;
    const entry = line as TranscriptEntry;
    note = fallbackNoteOf(entry) ?? note;
    if (entry.type !== "message") continue;
    entries.push(entry);
    if (note && entry.message?.role === "assistant") {
      fallbacks.set(entry.id, fallbackData(note as unknown as FallbackStep));
      note = undefined;
    }
  }
  return { entries, fallbacks };
}

/** A user message of text only is a plain string in OpenClaw's history; with images, its blocks. */
function userContent(content: unknown): unknown {
  if (!Array.isArray(content)) return content;
  const texts = content.filter((b): b is { type: "text"; text: string } => b?.type === "text");
  return texts.length === content.length ? texts.map((b) => b.text).join("\n") : content;
}

export const chatMethods = {
  "chat.send": defineMethod({
    scope: "operator.write",
    params: z.object({
      sessionKey,
      message: z.string().max(200_000),
      idempotencyKey,
      attachments: z.array(attachment).max(MAX_ATTACHMENTS).optional(),
      // This turn's thinking level (OpenClaw's one-turn `thinking`), fitted to each model tried.
      thinking: z.string().max(32).optional(),
      // This turn only, ahead of the session's choice (OpenClaw's one-turn `fastMode`).
      fastMode: fastModeParam.optional(),
      deliver: z.boolean().optional(),
      timeoutMs: z.number().int().optional(),
    }),
    handle: async (p, { gateway, connId }) => {
      // Files first: a refused file refuses the message, before anything is recorded.
      const prepared = await prepareAttachments(
        gateway,
        p.sessionKey,
        p.message,
        p.attachments,
        AbortSignal.timeout(PREPARE_TIMEOUT_MS),
      );
      const run = gateway.agents.send({
        sessionKey: p.sessionKey,
        text: prepared.text,
        images: prepared.images,
        idempotencyKey: p.idempotencyKey,
        submitter: `ws:${connId}`,
        ...(p.fastMode !== undefined ? { fastMode: p.fastMode } : {}),
        ...(p.thinking ? { thinkingLevel: oneTurnThinking(p.thinking) } : {}),
      });
      // Acknowledge only what is on disk: a crash after this answer never loses the message.
      try {
        await run.accepted;
      } catch (err) {
        // Not recorded means not accepted: say why (a full disk, say) and let the client retry.
        throw new GatewayRequestError(
          ErrorCodes.UNAVAILABLE,
          `could not record the message: ${(err as Error).message}`,
          {
            retryable: true,
          },
        );
      }
      return { runId: run.runId, sessionKey: run.sessionKey, status: run.status };
    },
  }),
  "chat.history": defineMethod({
    scope: "operator.read",
    params: historyParams,
    handle: (p, { gateway }) => chatHistory(gateway, p),
  }),
  // The chat page's first load: the same history (OpenClaw adds its pending inputs, we have none).
  "chat.startup": defineMethod({
    scope: "operator.read",
    params: historyParams,
    handle: async (p, { gateway }) => ({
      ...(await chatHistory(gateway, p)),
      pendingInputs: { items: [], total: 0 },
    }),
  }),
  // What the composer offers: the models of the catalog and the chat commands.
  "chat.metadata": defineMethod({
    scope: "operator.read",
    params: z.object({ sessionKey: sessionKey.optional(), agentId: z.string().optional() }).optional(),
    handle: async (_p, { gateway }) => ({
      // Our addition: what the composer may attach, and whether voice messages are transcribed.
      attachments: await attachmentPolicy(gateway),
      models: gateway.agents
        .registry()
        .list()
        .map((m) => ({
          id: m.ref.model,
          name: m.ref.model,
          provider: m.ref.provider,
          contextWindow: m.contextWindow,
        })),
      commands: CHAT_COMMANDS.map((c) => ({
        name: c.name,
        nativeName: c.name,
        textAliases: [c.name, ...c.aliases].map((n) => `/${n}`),
        description: c.description,
        source: "native",
        scope: "both",
        acceptsArgs: c.args !== "",
      })),
    }),
  }),
  "chat.abort": defineMethod({
    scope: "operator.write",
    params: z.object({ sessionKey, runId: z.string().optional() }),
    handle: (p, { gateway }) => ({ ok: true, aborted: gateway.agents.abort(p.sessionKey, p.runId) }),
  }),
};
