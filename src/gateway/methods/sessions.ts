import { z } from "zod";
import { NoModelConfiguredError } from "../../agents/model-cache.js";
import { fastModePlan, thinkingChoices } from "../../providers/index.js";
import type { ModelRef } from "../../providers/types.js";
import { type AgentListEntry, resolveKnownAgentId } from "../../routing/known-agents.js";
import { agentIdFromSessionKey, canonicalSessionKey, mainSessionKey } from "../../routing/session-key.js";
import { MAX_SEARCH_CHARS, type SessionEntry, SORT_KEYS } from "../../sessions/index-db.js";
import type { GatewayContext } from "../context.js";
import { ErrorCodes, GatewayRequestError } from "../protocol.js";
import { categoryParam, registerCategory } from "./group-catalog.js";
import { isUnread, pinAndUnread } from "./session-marks.js";
import { thinkingLevelFor, thinkingLevelParam } from "./session-thinking.js";
import { defineMethod } from "./types.js";

/**
 * Sessions over the gateway in OpenClaw's shapes: `sessions.list` with the model
 * `defaults` its chat page needs before it can draw a composer, rows with `kind`,
 * `agentId` and `isMain`; `sessions.preview` for the sidebar; label edits with
 * `sessions.patch`; and the subscriptions its UI opens: `sessions.changed` goes only to
 * connections that called `sessions.subscribe`, `session.message` only to those following
 * that session (see chat-events.ts).
 */

const agentList = (gateway: GatewayContext): readonly AgentListEntry[] | undefined =>
  gateway.config().config.agents?.list;

const sessionKey = z.string().min(1).max(512);
/** `sessions.list` page size when none is asked for, and the most one page returns (bounded response). */
const DEFAULT_PAGE = 100;
const MAX_PAGE = 1000;
/** Sessions one `sessions.preview` may ask for, and messages per preview (the sidebar shows a few). */
const MAX_PREVIEW_KEYS = 100;
const MAX_PREVIEW_ITEMS = 50;
const DEFAULT_PREVIEW_CHARS = 240;

/** The model a session of `agentId` uses unless it overrides it, as OpenClaw's `defaults`. */
export function sessionModelDefaults(gateway: GatewayContext, agentId: string) {
  const agent = gateway.agents.agentFor(mainSessionKey(agentId));
  // A fresh install has no model yet; its sessions (and history) are still shown.
  let first: ModelRef | undefined;
  try {
    [first] = gateway.agents.modelChain(agent);
  } catch (err) {
    if (!(err instanceof NoModelConfiguredError)) throw err;
  }
  const model = first
    ? gateway.agents
        .registry()
        .list()
        .find((m) => m.ref.provider === first.provider && m.ref.model === first.model)
    : undefined;
  const facts = first ? modelFacts(gateway, first) : thinkingChoices(undefined);
  return {
    modelProvider: first?.provider ?? null,
    model: first?.model ?? null,
    contextTokens: agent.contextTokens ?? model?.contextWindow ?? null,
    ...facts,
    // Model changes apply to the session (our `/model`), not to the agent's config.
    modelSelectionTarget: "session",
  };
}

/** Whether Fast mode does anything for a model, its own default, and its thinking levels (OpenClaw's model fields). */
function modelFacts(gateway: GatewayContext, ref: ModelRef) {
  try {
    const model = gateway.agents.registry().resolve(ref);
    return {
      supportsFastMode: fastModePlan(model) !== undefined,
      ...(model.params?.fastMode !== undefined ? { effectiveFastMode: model.params.fastMode } : {}),
      ...thinkingChoices(model),
    };
  } catch {
    return thinkingChoices(undefined); // an unknown provider: the turn will say so
  }
}

/**
 * One `sessions.list` row: our entry plus the fields OpenClaw's UI groups and labels by,
 * and, given the ids of the session's runs in progress, whether one is going (OpenClaw's
 * `hasActiveRun`, `activeRunIds` and `status: "running"`), so a UI opened mid-run shows it.
 */
export function sessionRow(key: string, entry: SessionEntry, runIds?: readonly string[]) {
  const agentId = agentIdFromSessionKey(key) ?? "main";
  const isMain = key === mainSessionKey(agentId);
  const rest = key.split(":").slice(2);
  const kind = rest.includes("group") || rest.includes("channel") ? "group" : "direct";
  return {
    key,
    kind,
    agentId,
    isMain,
    ...(entry.label ? { displayName: entry.label } : {}),
    ...entry,
    createdAt: entry.createdAt ?? entry.updatedAt,
    ...(runIds
      ? {
          hasActiveRun: runIds.length > 0,
          activeRunIds: [...runIds],
          ...(runIds.length > 0 ? { status: "running" as const } : {}),
        }
      : {}),
    ...(entry.archivedAt !== undefined ? { archived: true } : {}),
    pinned: entry.pinnedAt !== undefined,
    unread: isUnread(entry),
  };
}

/** OpenClaw's `archived` list param: absent or false = active only, true = archived only, "all". */
export const archivedParam = z.union([z.boolean(), z.literal("all")]).optional();
export const archivedFilter = (v: boolean | "all" | undefined) =>
  v === "all" ? "all" : v === true ? "archived" : "active";

/** OpenClaw's Fast-mode values (`sessions.patch`, `sessions.create`, `chat.send`). */
export const fastModeParam = z.union([z.boolean(), z.literal("auto")], {
  error: 'use true, false or "auto" (null clears this session\'s choice)',
});

/** What `sessions.patch` and `sessions.patchMany` change: label, archive, pin, unread (OpenClaw's names). */
export const sessionPatch = z.object({
  label: z.string().max(256).nullable().optional(),
  archived: z.boolean().optional(),
  pinned: z.boolean().optional(),
  // false: read now (OpenClaw's UI sends it on opening a session); true: marked unread by hand.
  unread: z.boolean().optional(),
  // With `unread: false` only: applied only if the unread mark is still this one (null: none).
  expectedMarkedUnreadAt: z.number().min(0).nullable().optional(),
  // `provider/model` (or an alias) for this session's next turns, as /model sets it; null: the agent's own.
  model: z.string().min(1).max(256).nullable().optional(),
  // This session's Fast mode, as /fast sets it; null: back to the model's default.
  fastMode: fastModeParam.nullable().optional(),
  // Its custom group (session-groups.ts); a new name joins the group catalog.
  category: categoryParam,
  // This session's thinking level, as /think sets it; null: back to the agent's or model's default.
  thinkingLevel: thinkingLevelParam.nullable().optional(),
});

export const sessionMethods = {
  "sessions.list": defineMethod({
    scope: "operator.read",
    params: z
      .object({
        agentId: z.string().optional(),
        // OpenClaw's UI asks for up to 10 000 at once: served as one bounded page (hasMore says so).
        limit: z.number().int().min(1).optional(),
        cursor: z.string().max(1024).optional(),
        offset: z.number().int().min(0).optional(),
        search: z.string().max(MAX_SEARCH_CHARS).optional(),
        archived: archivedParam,
        sortBy: z.enum(SORT_KEYS).optional(),
        sortDir: z.enum(["asc", "desc"]).optional(),
      })
      .optional(),
    handle: async (p, { gateway }) => {
      const agents = gateway.agents;
      const agentId =
        p?.agentId === undefined
          ? agents.defaultAgentId()
          : resolveKnownAgentId(agentList(gateway), p.agentId);
      const store = await agents.store(agentId);
      const limit = Math.min(p?.limit ?? DEFAULT_PAGE, MAX_PAGE);
      let page: ReturnType<typeof store.page>;
      try {
        page = store.page({
          limit,
          cursor: p?.cursor,
          offset: p?.offset,
          search: p?.search?.trim() || undefined,
          archived: archivedFilter(p?.archived),
          sortBy: p?.sortBy,
          sortDir: p?.sortDir,
        });
      } catch (err) {
        throw new GatewayRequestError(ErrorCodes.INVALID_REQUEST, (err as Error).message);
      }
      const sessions = page.sessions.map(({ key, entry }) => {
        const runStartedAt = agents.runStartedAt(key);
        // When the run in progress began: the Sessions page shows how long it has been going.
        return {
          ...sessionRow(key, entry, agents.activeRunIds(key)),
          ...(runStartedAt ? { runStartedAt } : {}),
        };
      });
      return {
        ts: Date.now(),
        path: store.indexPath,
        agentId,
        count: sessions.length,
        totalCount: page.totalCount,
        limitApplied: limit,
        hasMore: page.hasMore,
        ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
        defaults: sessionModelDefaults(gateway, agentId),
        sessions,
      };
    },
  }),
  "sessions.subscribe": defineMethod({
    scope: "operator.read",
    params: z.object({}).passthrough().optional(),
    handle: (_p, { gateway, connId }) => {
      const subs = gateway.clients.subscriptions(connId);
      if (subs) subs.sessions = true;
      return { subscribed: subs !== undefined };
    },
  }),
  "sessions.unsubscribe": defineMethod({
    scope: "operator.read",
    params: z.object({}).passthrough().optional(),
    handle: (_p, { gateway, connId }) => {
      const subs = gateway.clients.subscriptions(connId);
      if (subs) subs.sessions = false;
      return { subscribed: false };
    },
  }),
  "sessions.messages.subscribe": defineMethod({
    scope: "operator.read",
    params: z.object({ key: sessionKey }).passthrough(),
    handle: (p, { gateway, connId }) => {
      const key = canonicalSessionKey(agentList(gateway), p.key);
      const subs = gateway.clients.subscriptions(connId);
      try {
        subs?.follow(key);
      } catch (err) {
        throw new GatewayRequestError(ErrorCodes.INVALID_REQUEST, (err as Error).message);
      }
      return { subscribed: subs !== undefined, key };
    },
  }),
  "sessions.messages.unsubscribe": defineMethod({
    scope: "operator.read",
    params: z.object({ key: sessionKey }).passthrough(),
    handle: (p, { gateway, connId }) => {
      const key = canonicalSessionKey(agentList(gateway), p.key);
      gateway.clients.subscriptions(connId)?.unfollow(key);
      return { subscribed: false, key };
    },
  }),
  "sessions.preview": defineMethod({
    scope: "operator.read",
    params: z.object({
      keys: z.array(sessionKey).min(1).max(MAX_PREVIEW_KEYS),
      limit: z.number().int().min(1).optional(),
      maxChars: z.number().int().min(1).optional(),
    }),
    handle: async (p, { gateway }) => {
      const limit = Math.min(p.limit ?? 12, MAX_PREVIEW_ITEMS);
      const maxChars = Math.min(p.maxChars ?? DEFAULT_PREVIEW_CHARS, 4000);
      const previews = await Promise.all(
        p.keys.map(async (raw) => {
          const key = canonicalSessionKey(agentList(gateway), raw);
          const store = await gateway.agents.store(gateway.agents.agentFor(key).id);
          const entry = store.get(key);
          if (!entry) return { key, status: "missing", items: [] };
          const lines = await store.transcript(entry.sessionId).messages();
          const items = lines
            .slice(-limit)
            .flatMap(({ message }) =>
              message ? [{ role: message.role, text: messageText(message).slice(0, maxChars) }] : [],
            );
          return { key, status: "ok", items };
        }),
      );
      return { ts: Date.now(), previews };
    },
  }),
  "sessions.patch": defineMethod({
    scope: "operator.admin",
    params: sessionPatch.extend({ key: sessionKey, expectedSessionId: z.string().max(128).optional() }),
    handle: async (p, { gateway }) => {
      const { key, store, entry } = await patchSession(gateway, p.key, p, p.expectedSessionId);
      const resolved = firstModel(gateway, key, entry.modelOverride as string | undefined);
      return { ok: true, path: store.indexPath, key, entry, ...(resolved ? { resolved } : {}) };
    },
  }),
  "sessions.reset": defineMethod({
    scope: "operator.admin",
    params: z.object({ key: sessionKey }),
    handle: async (p, { gateway }) => {
      const agents = gateway.agents;
      const key = canonicalSessionKey(agentList(gateway), p.key);
      const agentId = agents.agentFor(key).id;
      const entry = await (await agents.store(agentId)).reset(key);
      gateway.clients.publishSessionsChanged({ sessionKey: key, agentId, reason: "reset" });
      return { ok: true, key, sessionId: entry.sessionId };
    },
  }),
  "sessions.delete": defineMethod({
    scope: "operator.admin",
    params: z.object({ key: sessionKey }),
    handle: async (p, { gateway }) => {
      const agents = gateway.agents;
      const key = canonicalSessionKey(agentList(gateway), p.key);
      const agentId = agents.agentFor(key).id;
      const store = await agents.store(agentId);
      const sessionId = store.get(key)?.sessionId;
      const deleted = await store.delete(key);
      if (deleted) {
        // OpenClaw sends the removed row's change, then a keyless one (lists without that row refresh too).
        gateway.clients.publishSessionsChanged({ sessionKey: key, sessionId, agentId, reason: "delete" });
        gateway.clients.publishSessionsChanged({ reason: "delete" });
      }
      return { ok: true, key, deleted };
    },
  }),
};

/** A model choice as stored (`provider/model`); refused, with why, when no provider is configured for it. */
function modelOverride(gateway: GatewayContext, raw: string | null): string | undefined {
  if (raw === null) return undefined;
  const registry = gateway.agents.registry();
  try {
    const ref = registry.parseRef(raw);
    registry.resolve(ref);
    return `${ref.provider}/${ref.model}`;
  } catch (err) {
    throw new GatewayRequestError(ErrorCodes.INVALID_REQUEST, `model: ${(err as Error).message}`);
  }
}

/** The model the session's next turn starts with (OpenClaw's `resolved`); none on a fresh install. */
function firstModel(gateway: GatewayContext, key: string, override: string | undefined) {
  try {
    const [first] = gateway.agents.modelChain(gateway.agents.agentFor(key), override);
    return first ? { modelProvider: first.provider, model: first.model } : undefined;
  } catch (err) {
    if (err instanceof NoModelConfiguredError) return undefined;
    throw err;
  }
}

/** The text of a transcript message (string content, or its text blocks joined). */
export function messageText(message: { content?: unknown }): string {
  const content = message.content;
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .map((block) => (block && typeof block === "object" && "text" in block ? String(block.text) : ""))
    .filter(Boolean)
    .join("\n");
}

/**
 * Applies a patch to one session. Neither a label nor archiving is activity: the session
 * keeps its place in the list by last activity. An agent's main session cannot be archived
 * (as in OpenClaw: it is where the agent's channels and heartbeat talk).
 */
export async function patchSession(
  gateway: GatewayContext,
  rawKey: string,
  patch: z.infer<typeof sessionPatch>,
  expectedSessionId?: string,
) {
  const key = canonicalSessionKey(agentList(gateway), rawKey);
  const agentId = gateway.agents.agentFor(key).id;
  const store = await gateway.agents.store(agentId);
  if (patch.archived !== undefined || expectedSessionId !== undefined) {
    const current = store.get(key);
    if (!current)
      throw new GatewayRequestError(ErrorCodes.INVALID_REQUEST, `no session ${key}: see sessions.list`);
    if (expectedSessionId !== undefined && current.sessionId !== expectedSessionId) {
      throw new GatewayRequestError(
        ErrorCodes.INVALID_REQUEST,
        `session ${key} was reset or replaced since it was listed: list sessions again and retry`,
      );
    }
    if (patch.archived && key === mainSessionKey(agentId)) {
      throw new GatewayRequestError(
        ErrorCodes.INVALID_REQUEST,
        `${key} is agent ${agentId}'s main session and cannot be archived: reset it instead`,
      );
    }
  }
  const current = await store.ensure(key);
  const { updatedAt, archivedAt } = current;
  const next: Partial<SessionEntry> = { updatedAt };
  if (patch.label !== undefined) next.label = patch.label ?? undefined;
  if (patch.archived !== undefined) next.archivedAt = patch.archived ? (archivedAt ?? Date.now()) : undefined;
  Object.assign(next, pinAndUnread(key, current, next, patch));
  // A label or a model is not activity: the session keeps its place in the list by last activity.
  if (patch.model !== undefined) next.modelOverride = modelOverride(gateway, patch.model);
  if (patch.fastMode !== undefined) next.fastMode = patch.fastMode ?? undefined;
  if (patch.category !== undefined) next.category = await registerCategory(gateway, patch.category);
  if (patch.thinkingLevel !== undefined) {
    const model = (patch.model !== undefined ? next.modelOverride : current.modelOverride) as
      | string
      | undefined;
    next.thinkingLevel = patch.thinkingLevel
      ? thinkingLevelFor(gateway, key, model, patch.thinkingLevel)
      : undefined;
  }
  const entry = store.update(key, next);
  // Every patch (one, or each target of a patchMany) is a change an open sidebar shows at once.
  gateway.clients.publishSessionsChanged({
    sessionKey: key,
    agentId,
    reason: "patch",
    session: sessionRow(key, entry, gateway.agents.activeRunIds(key)),
  });
  return { key, store, entry };
}
