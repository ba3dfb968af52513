import { z } from "zod";
import { MAX_RESULTS_CAP } from "../../memory/index.js";
import { resolveKnownAgentId } from "../../routing/known-agents.js";
import { ErrorCodes, GatewayRequestError } from "../protocol.js";
import { defineMethod, type GatewayMethodCall } from "./types.js";

/** A configured agent only (UnknownAgentError otherwise): no index is opened for a made-up id. */
function agentOf({ gateway }: GatewayMethodCall, agentId: string | undefined) {
  const runtime = gateway.agents;
  const id = agentId
    ? resolveKnownAgentId(gateway.config().config.agents?.list, agentId)
    : runtime.defaultAgentId();
  return runtime.agentFor(`agent:${id}:main`);
}

/**
 * `memory.search` and `skills.status` (OpenClaw's names). An operator is the owner:
 * MEMORY.md is searched too, unlike a group chat's memory_search.
 */
export const knowledgeMethods = {
  "memory.search": defineMethod({
    scope: "operator.read",
    params: z.strictObject({
      query: z.string().min(1).max(1_000),
      agentId: z.string().min(1).max(64).optional(),
      maxResults: z.number().int().min(1).max(MAX_RESULTS_CAP).optional(),
      minScore: z.number().min(0).max(1).optional(),
    }),
    handle: async (params, call: GatewayMethodCall) => {
      const agent = agentOf(call, params.agentId);
      const index = call.gateway.agents.knowledge.memory(agent);
      if (!index) return { agentId: agent.id, results: [], provider: "none", mode: "off" };
      const results = await index.search(params.query, {
        maxResults: params.maxResults,
        minScore: params.minScore,
      });
      return { agentId: agent.id, results, provider: index.provider(), mode: index.mode() };
    },
  }),
  /** Our own (OpenClaw has none): the Control UI's Memory view lists the files… */
  "memory.status": defineMethod({
    scope: "operator.read",
    params: z.strictObject({ agentId: z.string().min(1).max(64).optional() }).optional(),
    handle: (params, call: GatewayMethodCall) => {
      const agent = agentOf(call, params?.agentId);
      const index = call.gateway.agents.knowledge.memory(agent);
      if (!index) return { agentId: agent.id, enabled: false, files: [] };
      return {
        agentId: agent.id,
        enabled: true,
        ...index.status(),
        mode: index.mode(),
        files: index.files(),
      };
    },
  }),
  /** …and shows one (memory files only, as memory_get). */
  "memory.get": defineMethod({
    scope: "operator.read",
    params: z.strictObject({
      path: z.string().min(1).max(512),
      agentId: z.string().min(1).max(64).optional(),
      from: z.number().int().min(1).optional(),
      lines: z.number().int().min(1).max(5_000).optional(),
    }),
    handle: (params, call: GatewayMethodCall) => {
      const agent = agentOf(call, params.agentId);
      const file = call.gateway.agents.knowledge
        .memory(agent)
        ?.read(params.path, params.from, params.lines ?? 5_000);
      if (!file)
        throw new GatewayRequestError(
          ErrorCodes.INVALID_REQUEST,
          `${params.path} is not a memory file of agent ${agent.id} (MEMORY.md or memory/*.md)`,
        );
      return { agentId: agent.id, ...file };
    },
  }),
  "skills.status": defineMethod({
    scope: "operator.read",
    params: z.strictObject({ agentId: z.string().min(1).max(64).optional() }).optional(),
    handle: async (params, call: GatewayMethodCall) => {
      const agent = agentOf(call, params?.agentId);
      return call.gateway.agents.knowledge.skillsReport(agent);
    },
  }),
};
