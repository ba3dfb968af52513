import { z } from "zod";
import { resolveAgent } from "../../agents/agent-config.js";
import { resolveAssistantIdentity } from "../../agents/identity.js";
import { twoStage } from "../../infra/rpc.js";
import { knownAgentIds, resolveKnownAgentId } from "../../routing/known-agents.js";
import { requestedSessionKey } from "../../routing/session-key.js";
import { signedAvatarUrl } from "../avatar-route.js";
import type { GatewayContext } from "../context.js";
import { defineMethod } from "./types.js";

/**
 * The agents over the gateway, in OpenClaw's shapes: `agents.list` (its CLI's
 * `agent` asks it which agent to run when none is named), `agent.identity.get`
 * (the Control UI's chat header), and `agent`, whose final answer carries the reply
 * as `result.payloads` (what `openclaw agent` prints).
 */

const agentList = (gateway: GatewayContext) => gateway.config().config.agents?.list;

function agentRow(gateway: GatewayContext, id: string) {
  const agent = resolveAgent(gateway.config().config, id, gateway.stateDir);
  const entry = agentList(gateway)?.find((a) => a.id === id);
  const [primary, ...fallbacks] = agent.models;
  return {
    id,
    ...(entry?.name ? { name: entry.name } : {}),
    workspace: agent.workspace,
    ...(primary ? { model: { primary, ...(fallbacks.length ? { fallbacks } : {}) } } : {}),
  };
}

export const agentMethods = {
  "agents.list": defineMethod({
    scope: "operator.read",
    params: z.object({}).passthrough().optional(),
    handle: (_p, { gateway }) => ({
      defaultId: gateway.agents.defaultAgentId(),
      mainKey: "main",
      scope: "per-sender",
      agents: knownAgentIds(agentList(gateway)).map((id) => agentRow(gateway, id)),
    }),
  }),
  "agent.identity.get": defineMethod({
    scope: "operator.read",
    params: z.object({ agentId: z.string().optional(), sessionKey: z.string().optional() }).optional(),
    handle: (p, { gateway }) => {
      const agentId =
        p?.agentId === undefined
          ? gateway.agents.defaultAgentId()
          : resolveKnownAgentId(agentList(gateway), p.agentId);
      const entry = agentList(gateway)?.find((a) => a.id === agentId);
      const { workspace } = resolveAgent(gateway.config().config, agentId, gateway.stateDir);
      // A file over the inline size is served by the avatar route, through a signed URL.
      return resolveAssistantIdentity(
        agentId,
        { ...entry?.identity, entryName: entry?.name },
        workspace,
        (revision) => signedAvatarUrl(gateway, agentId, revision),
      );
    },
  }),
  agent: defineMethod({
    scope: "operator.write",
    params: z.object({
      message: z.string().max(200_000),
      idempotencyKey: z.string().min(1).max(256),
      agentId: z.string().optional(),
      sessionKey: z.string().min(1).max(512).optional(),
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
      const runAgent = agents.agentFor(run.sessionKey).id;
      const accepted = {
        runId: run.runId,
        sessionKey: run.sessionKey,
        agentId: runAgent,
        status: "accepted",
        acceptedAt,
      };
      // OpenClaw's two-stage answer: `accepted` now, the outcome under the same id when the run ends.
      return twoStage(accepted, async () => {
        const outcome = await run.done;
        const endedAt = Date.now();
        const model = outcome.answeredBy?.model;
        return {
          runId: run.runId,
          status: outcome.status,
          summary: outcome.status === "ok" ? "completed" : outcome.status,
          // Kept for our own clients (they read `text`); OpenClaw's read result.payloads.
          text: outcome.text,
          result: {
            payloads: outcome.text ? [{ text: outcome.text, mediaUrl: null }] : [],
            meta: {
              durationMs: endedAt - acceptedAt,
              agentMeta: {
                sessionKey: run.sessionKey,
                ...(model ? { provider: model.provider, model: model.model } : {}),
              },
            },
          },
          acceptedAt,
          endedAt,
        };
      });
    },
  }),
};
