import { z } from "zod";
import { fastModePlan, thinkingChoices, thinkingProfile } from "../../providers/index.js";
import type { Credential } from "../../providers/registry.js";
import { defineMethod } from "./types.js";

/**
 * The model catalog in OpenClaw's shapes: `models.list` rows keyed by the model id
 * with its provider beside it (what OpenClaw's `models list` and chat model picker
 * read), and `models.authStatus` (which providers have a usable key, never the key).
 */

/** Where a credential came from, as OpenClaw's auth status names it (`config`, `env`, `profile`). */
function keySource(credential: Credential) {
  if (credential.profileId) return { source: "profile", profileId: credential.profileId };
  if (credential.source.startsWith("env ")) return { source: "env", envVar: credential.source.slice(4) };
  return { source: "config" };
}

export const modelMethods = {
  "models.list": defineMethod({
    scope: "operator.read",
    params: z
      .object({
        view: z.enum(["default", "configured", "all"]).optional(),
        includeDetails: z.boolean().optional(),
        agentId: z.string().optional(),
        sessionKey: z.string().optional(),
      })
      .optional(),
    handle: (_p, { gateway }) => {
      const registry = gateway.agents.registry();
      const chain = registry.defaultChain().map((r) => `${r.provider}/${r.model}`);
      const models = registry.list().map((m) => {
        const ref = `${m.ref.provider}/${m.ref.model}`;
        const hasKey = registry.credentials(m.ref.provider).length > 0;
        return {
          id: m.ref.model,
          name: m.ref.model,
          provider: m.ref.provider,
          ref,
          api: m.api,
          contextWindow: m.contextWindow,
          input: m.input,
          // OpenClaw's fields: whether it thinks, the levels it offers and the one it uses unless a session chooses.
          reasoning: thinkingProfile(m) !== undefined,
          ...thinkingChoices(m),
          // OpenClaw's fields: whether Fast mode changes this model's requests, and its own default.
          supportsFastMode: fastModePlan(m) !== undefined,
          ...(m.params?.fastMode !== undefined ? { effectiveFastMode: m.params.fastMode } : {}),
          tags: [...(ref === chain[0] ? ["default"] : []), "configured"],
          available: hasKey,
          inDefaultChain: chain.includes(ref),
          hasKey,
        };
      });
      return { models, defaultChain: chain };
    },
  }),
  "models.authStatus": defineMethod({
    scope: "operator.read",
    params: z.object({ agentId: z.string().optional() }).passthrough().optional(),
    handle: (_p, { gateway }) => {
      const registry = gateway.agents.registry();
      const providers = [...new Set(registry.list().map((m) => m.ref.provider))].map((provider) => {
        const credentials = registry.credentials(provider);
        const first = credentials[0];
        return {
          provider,
          authProvider: provider,
          displayName: provider,
          status: first ? "static" : "missing",
          profiles: credentials.flatMap((c) => (c.profileId ? [{ profileId: c.profileId }] : [])),
          ...(first ? { apiKey: keySource(first) } : {}),
        };
      });
      return { ts: Date.now(), providers };
    },
  }),
};
