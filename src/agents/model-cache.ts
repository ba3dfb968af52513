import { STARTER_PROVIDERS, starterKeyList } from "../providers/env-api-keys.js";
import {
  createAuthProfileStore,
  createFailover,
  createModelRegistry,
  type Failover,
  type ModelRef,
  type ModelRegistry,
  type ProvidersConfig,
} from "../providers/index.js";
import type { ResolvedAgent } from "./agent-config.js";

/** Neither a configured model nor a starter provider's key: a fresh install, before its first key. */
export class NoModelConfiguredError extends Error {
  override name = "NoModelConfiguredError";
}

/** The model used when `agents.defaults.model` is unset, per starter provider (first with a key wins). */
const FALLBACK_MODELS: Record<(typeof STARTER_PROVIDERS)[number], string> = {
  // claude-sonnet-4-5 reached end-of-life on 2026-11-30 (the Anthropic SDK's deprecation table).
  anthropic: "anthropic/claude-sonnet-4-6",
  openai: "openai/gpt-5.2",
  google: "google/gemini-2.5-flash",
};

/**
 * The model registry (rebuilt when the config snapshot changes) and one failover per
 * agent (its auth profiles and cooldowns), plus the model chain a turn uses.
 */
export class ModelCache {
  private cached?: { config: ProvidersConfig; registry: ModelRegistry };
  private readonly failovers = new Map<string, Failover>();

  constructor(private readonly opts: { stateDir: string; config: () => ProvidersConfig }) {}

  /** Forgets the failovers (a reloaded config may change providers or keys). */
  clear(): void {
    this.failovers.clear();
  }

  registry(): ModelRegistry {
    const config = this.opts.config();
    if (this.cached?.config !== config) this.cached = { config, registry: createModelRegistry(config) };
    return this.cached.registry;
  }

  failover(agentId: string): Failover {
    let failover = this.failovers.get(agentId);
    if (!failover) {
      failover = createFailover({
        registry: this.registry(),
        profiles: createAuthProfileStore({ stateDir: this.opts.stateDir, agentId }),
      });
      this.failovers.set(agentId, failover);
    }
    return failover;
  }

  /** The model chain for an agent (a session's /model override first); NoModelConfiguredError when there is none. */
  modelChain(agent: ResolvedAgent, override?: string): ModelRef[] {
    const registry = this.registry();
    let refs = override ? [override, ...agent.models.filter((m) => m !== override)] : agent.models;
    if (refs.length === 0) {
      // No model configured: a sensible one from whichever starter provider has a key, so a
      // fresh install answers as soon as ANTHROPIC_API_KEY (or another starter key) is set.
      const provider = STARTER_PROVIDERS.find((p) => registry.credentials(p).length > 0);
      if (!provider) {
        throw new NoModelConfiguredError(
          `no model configured and no provider key found: set ${starterKeyList()}, or agents.defaults.model.primary (e.g. \`openclaw config set agents.defaults.model.primary anthropic/claude-sonnet-4-6\`)`,
        );
      }
      refs = [FALLBACK_MODELS[provider]];
    }
    return refs.map((r) => registry.parseRef(r));
  }

  /** A model's context window from the catalogue (unknown providers: undefined). */
  contextWindow(ref: ModelRef): number | undefined {
    try {
      return this.registry().resolve(ref).contextWindow;
    } catch {
      return undefined;
    }
  }
}
