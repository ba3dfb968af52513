import { randomUUID } from "node:crypto";
import { z } from "zod";
import { type AgentListEntry, resolveKnownAgentId } from "../../routing/known-agents.js";
import { canonicalSessionKey } from "../../routing/session-key.js";
import { attachment, MAX_ATTACHMENTS, PREPARE_TIMEOUT_MS, prepareAttachments } from "../chat-attachments.js";
import type { GatewayContext } from "../context.js";
import { ErrorCodes, GatewayRequestError } from "../protocol.js";
import { categoryParam, registerCategory } from "./group-catalog.js";
import { editorFields, userMessageOnPath } from "./session-branches.js";
import { thinkingLevelFor, thinkingLevelParam } from "./session-thinking.js";
import { fastModeParam, sessionModelDefaults, sessionRow } from "./sessions.js";
import { defineMethod } from "./types.js";

/**
 * Session methods OpenClaw's Control UI calls beyond listing: create a session, compact
 * one now, describe one, rewind one to before a message (branches: session-branches.ts). Each answers from our session store; what
 * this gateway has no feature for says so (see docs/compatibility.md).
 */

const agentList = (gateway: GatewayContext): readonly AgentListEntry[] | undefined =>
  gateway.config().config.agents?.list;

const sessionKey = z.string().min(1).max(512);
/** Longest first message `sessions.create` takes: the same bound as a chat message. */
const MAX_MESSAGE_CHARS = 100_000;

async function storeOf(gateway: GatewayContext, key: string) {
  return gateway.agents.store(gateway.agents.agentFor(key).id);
}

export const sessionActionMethods = {
  /**
   * A new session (OpenClaw's `agent:<id>:dashboard:<uuid>` key), or an existing `key`
   * adopted; with `message`, its first turn is queued (`runStarted`).
   */
  "sessions.create": defineMethod({
    scope: "operator.write",
    params: z.strictObject({
      key: sessionKey.optional(),
      agentId: z.string().min(1).max(64).optional(),
      label: z.string().min(1).max(256).optional(),
      displayName: z.string().min(1).max(500).optional(),
      message: z.string().min(1).max(MAX_MESSAGE_CHARS).optional(),
      attachments: z.array(attachment).max(MAX_ATTACHMENTS).optional(),
      idempotencyKey: z.string().min(1).max(256).optional(),
      // Stored before the first turn starts (OpenClaw's `sessions.create.fastMode`).
      fastMode: fastModeParam.optional(),
      // Its custom group, registered in the group catalog when first used (OpenClaw's `category`).
      category: categoryParam,
      thinkingLevel: thinkingLevelParam.optional(),
      // OpenClaw's UI sends these with every new chat: only what this gateway has is taken.
      visibility: z
        .literal("normal", {
          error: 'visibility: this gateway has only "normal" sessions (no drafts or incognito)',
        })
        .optional(),
      mentions: z
        .array(z.unknown())
        .max(0, { error: "mentions: this gateway has no human mentions" })
        .optional(),
    }),
    handle: async (p, { gateway, connId }) => {
      const agentId = resolveKnownAgentId(agentList(gateway), p.agentId ?? gateway.agents.defaultAgentId());
      const key = p.key
        ? canonicalSessionKey(agentList(gateway), p.key)
        : `agent:${agentId}:dashboard:${randomUUID()}`;
      if (gateway.agents.agentFor(key).id !== agentId) {
        throw new GatewayRequestError(
          ErrorCodes.INVALID_REQUEST,
          `session ${key} belongs to another agent than ${agentId}: leave out agentId or key`,
        );
      }
      const store = await gateway.agents.store(agentId);
      await store.ensure(key);
      const named = {
        ...(p.label ? { label: p.label } : {}),
        ...(p.displayName ? { displayName: p.displayName } : {}),
        ...(p.fastMode !== undefined ? { fastMode: p.fastMode } : {}),
        ...(p.category ? { category: await registerCategory(gateway, p.category) } : {}),
        ...(p.thinkingLevel
          ? {
              thinkingLevel: thinkingLevelFor(
                gateway,
                key,
                store.get(key)?.modelOverride as string | undefined,
                p.thinkingLevel,
              ),
            }
          : {}),
      };
      // Whoever creates (or adopts) a session has it open: read as of now (see session-marks.ts).
      const now = Date.now();
      const entry = store.update(key, { ...named, updatedAt: now, lastReadAt: now });
      let runId: string | undefined;
      if (p.message) {
        const prepared = await prepareAttachments(
          gateway,
          key,
          p.message,
          p.attachments,
          AbortSignal.timeout(PREPARE_TIMEOUT_MS),
        );
        const run = gateway.agents.send({
          sessionKey: key,
          text: prepared.text,
          images: prepared.images,
          idempotencyKey: p.idempotencyKey,
          submitter: `ws:${connId}`,
        });
        await run.accepted;
        runId = run.runId;
      }
      const defaults = sessionModelDefaults(gateway, agentId);
      return {
        ok: true,
        key,
        sessionId: entry.sessionId,
        entry,
        runStarted: runId !== undefined,
        ...(runId ? { runId } : {}),
        resolved: { modelProvider: defaults.modelProvider, model: defaults.model },
      };
    },
  }),
  /** Compacts now (after the session's queued turns): older turns become a summary, the newest stay. */
  "sessions.compact": defineMethod({
    scope: "operator.admin",
    params: z.object({ key: sessionKey, agentId: z.string().max(64).optional() }),
    handle: async (p, { gateway }) => {
      const key = canonicalSessionKey(agentList(gateway), p.key);
      let outcome: Awaited<ReturnType<typeof gateway.agents.compact>>;
      try {
        outcome = await gateway.agents.compact(key);
      } catch (err) {
        throw new GatewayRequestError(ErrorCodes.UNAVAILABLE, (err as Error).message);
      }
      if (!outcome.compacted && outcome.reason === "no-session") {
        throw new GatewayRequestError(ErrorCodes.INVALID_REQUEST, `no session ${key}: see sessions.list`);
      }
      return { ok: true, key, ...outcome };
    },
  }),
  /** One session's row with its model defaults; `session: null` when it does not exist yet. */
  "sessions.describe": defineMethod({
    scope: "operator.read",
    params: z.object({ key: sessionKey }).passthrough(),
    handle: async (p, { gateway }) => {
      const key = canonicalSessionKey(agentList(gateway), p.key);
      const agentId = gateway.agents.agentFor(key).id;
      const entry = (await storeOf(gateway, key)).get(key);
      if (!entry) return { session: null };
      const { modelSelectionTarget: _target, ...defaults } = sessionModelDefaults(gateway, agentId);
      return { session: { ...defaults, ...sessionRow(key, entry) } };
    },
  }),
  /**
   * OpenClaw's rewind: the conversation goes back to just before one of the user's
   * messages (to edit it, or to have the answer written again), and the message's text
   * comes back for the composer. Append-only: a `leaf` marker is added to the transcript
   * (fsynced), the rewound turns stay in the file on their own branch. Refused while a
   * run is going (it would write on the branch being left).
   */
  "sessions.rewind": defineMethod({
    scope: "operator.admin",
    params: z.strictObject({
      sessionKey,
      agentId: z.string().min(1).max(64).optional(),
      entryId: z.string().min(1).max(256),
    }),
    handle: async (p, { gateway }) => {
      const key = canonicalSessionKey(agentList(gateway), p.sessionKey);
      const owner = gateway.agents.agentFor(key).id;
      if (p.agentId !== undefined && p.agentId !== owner) {
        throw new GatewayRequestError(
          ErrorCodes.INVALID_REQUEST,
          `agentId: session ${key} belongs to agent "${owner}", not "${p.agentId}"`,
        );
      }
      const store = await storeOf(gateway, key);
      const entry = store.get(key);
      if (!entry) throw new GatewayRequestError(ErrorCodes.INVALID_REQUEST, `session not found: ${key}`);
      if (gateway.agents.activeRunIds(key).length > 0) {
        throw new GatewayRequestError(
          ErrorCodes.UNAVAILABLE,
          "Rewind is unavailable while the agent is working: stop the run (chat.abort) or wait for it to end.",
        );
      }
      const transcript = store.transcript(entry.sessionId);
      const target = userMessageOnPath(await transcript.readAll(), p.entryId);
      await transcript.rewindBefore(p.entryId);
      return editorFields(target);
    },
  }),
};
