import { z } from "zod";
import { twoStage } from "../../infra/rpc.js";
import { type AgentListEntry, resolveKnownAgentId } from "../../routing/known-agents.js";
import { canonicalSessionKey, requestedSessionKey } from "../../routing/session-key.js";
import { MAX_SEARCH_CHARS } from "../../sessions/index-db.js";
import type { GatewayContext } from "../context.js";
import { ErrorCodes, GatewayRequestError } from "../protocol.js";
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
/** `sessions.list` page size when none is asked for, and the most one page returns (bounded response). */
const DEFAULT_PAGE = 100;
const MAX_PAGE = 1000;
const idempotencyKey = z.string().min(1).max(256);

const attachment = z.object({
  type: z.string().optional(),
  mimeType: z.string().optional(),
  content: z.string().optional(),
  data: z.string().optional(),
  fileName: z.string().optional(),
});

/** Images among the attachments, as base64 data the model can take. */
function images(attachments: z.infer<typeof attachment>[] | undefined) {
  return (attachments ?? [])
    .filter((a) => (a.mimeType ?? "").startsWith("image/") && (a.content ?? a.data))
    .map((a) => ({ data: (a.content ?? a.data)!, mimeType: a.mimeType! }));
}

export const chatMethods = {
  "chat.send": defineMethod({
    scope: "operator.write",
    params: z.object({
      sessionKey,
      message: z.string().max(200_000),
      idempotencyKey,
      attachments: z.array(attachment).max(16).optional(),
      thinking: z.string().optional(),
      deliver: z.boolean().optional(),
      timeoutMs: z.number().int().optional(),
    }),
    handle: async (p, { gateway, connId }) => {
      const run = gateway.agents.send({
        sessionKey: p.sessionKey,
        text: p.message,
        images: images(p.attachments),
        idempotencyKey: p.idempotencyKey,
        submitter: `ws:${connId}`,
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
    params: z.object({ sessionKey, limit: z.number().int().min(1).max(1000).optional() }),
    handle: async (p, { gateway }) => {
      const agents = gateway.agents;
      const key = canonicalSessionKey(agentList(gateway), p.sessionKey);
      const store = await agents.store(agents.agentFor(key).id);
      const entry = store.get(key);
      if (!entry) return { sessionKey: key, sessionId: null, messages: [] };
      const entries = await store.transcript(entry.sessionId).messages();
      const messages = entries
        .slice(-(p.limit ?? 200))
        .map((e) => ({ ...e.message, id: e.id, timestamp: e.timestamp }));
      return { sessionKey: key, sessionId: entry.sessionId, messages };
    },
  }),
  "chat.abort": defineMethod({
    scope: "operator.write",
    params: z.object({ sessionKey, runId: z.string().optional() }),
    handle: (p, { gateway }) => ({ ok: true, aborted: gateway.agents.abort(p.sessionKey, p.runId) }),
  }),
  agent: defineMethod({
    scope: "operator.write",
    params: z.object({
      message: z.string().max(200_000),
      idempotencyKey,
      agentId: z.string().optional(),
      sessionKey: sessionKey.optional(),
      timeout: z.number().optional(),
      deliver: z.boolean().optional(),
      channel: z.string().optional(),
      to: z.string().optional(),
    }),
    handle: (p, { gateway, connId }) => {
      const agents = gateway.agents;
      // A named agent must exist even when the session key names the session.
      const agentId =
        p.agentId === undefined ? undefined : resolveKnownAgentId(agentList(gateway), p.agentId);
      const run = agents.send({
        sessionKey: requestedSessionKey({ agentId, sessionKey: p.sessionKey }),
        text: p.message,
        idempotencyKey: p.idempotencyKey,
        submitter: `ws:${connId}`,
      });
      const acceptedAt = Date.now();
      // OpenClaw's two-stage answer: `accepted` now, the outcome under the same id when the run ends.
      return twoStage({ runId: run.runId, status: "accepted", acceptedAt }, async () => {
        const outcome = await run.done;
        return {
          runId: run.runId,
          status: outcome.status,
          text: outcome.text,
          acceptedAt,
          endedAt: Date.now(),
        };
      });
    },
  }),
  "sessions.list": defineMethod({
    scope: "operator.read",
    params: z
      .object({
        agentId: z.string().optional(),
        limit: z.number().int().min(1).max(MAX_PAGE).optional(),
        cursor: z.string().max(1024).optional(),
        offset: z.number().int().min(0).optional(),
        search: z.string().max(MAX_SEARCH_CHARS).optional(),
      })
      .optional(),
    handle: async (p, { gateway }) => {
      const agents = gateway.agents;
      const agentId =
        p?.agentId === undefined
          ? agents.defaultAgentId()
          : resolveKnownAgentId(agentList(gateway), p.agentId);
      const store = await agents.store(agentId);
      let page: ReturnType<typeof store.page>;
      try {
        page = store.page({
          limit: p?.limit ?? DEFAULT_PAGE,
          cursor: p?.cursor,
          offset: p?.offset,
          search: p?.search?.trim() || undefined,
        });
      } catch (err) {
        throw new GatewayRequestError(ErrorCodes.INVALID_REQUEST, (err as Error).message);
      }
      const sessions = page.sessions.map(({ key, entry }) => ({ key, ...entry }));
      return {
        agentId,
        count: sessions.length,
        totalCount: page.totalCount,
        hasMore: page.hasMore,
        ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
        sessions,
      };
    },
  }),
  "sessions.reset": defineMethod({
    scope: "operator.admin",
    params: z.object({ key: sessionKey }),
    handle: async (p, { gateway }) => {
      const agents = gateway.agents;
      const key = canonicalSessionKey(agentList(gateway), p.key);
      const entry = await (await agents.store(agents.agentFor(key).id)).reset(key);
      return { ok: true, key, sessionId: entry.sessionId };
    },
  }),
  "sessions.delete": defineMethod({
    scope: "operator.admin",
    params: z.object({ key: sessionKey }),
    handle: async (p, { gateway }) => {
      const agents = gateway.agents;
      const key = canonicalSessionKey(agentList(gateway), p.key);
      const deleted = await (await agents.store(agents.agentFor(key).id)).delete(key);
      return { ok: true, key, deleted };
    },
  }),
  "models.list": defineMethod({
    scope: "operator.read",
    params: z.object({ view: z.enum(["default", "configured", "all"]).optional() }).optional(),
    handle: (_p, { gateway }) => {
      const registry = gateway.agents.registry();
      const chain = new Set(registry.defaultChain().map((r) => `${r.provider}/${r.model}`));
      const models = registry.list().map((m) => ({
        id: `${m.ref.provider}/${m.ref.model}`,
        provider: m.ref.provider,
        model: m.ref.model,
        api: m.api,
        contextWindow: m.contextWindow,
        input: m.input,
        inDefaultChain: chain.has(`${m.ref.provider}/${m.ref.model}`),
        hasKey: registry.credentials(m.ref.provider).length > 0,
      }));
      return { models, defaultChain: [...chain] };
    },
  }),
};
