import type { OpenClawConfig } from "../config/schema.js";
import { PROVIDER_ENV_KEYS, starterKeyList } from "../providers/env-api-keys.js";
import {
  createAuthProfileStore,
  createModelRegistry,
  MissingApiKeyError,
  ModelConfigError,
  type ProvidersConfig,
} from "../providers/index.js";
import { resolveDefaultAgentId } from "../routing/known-agents.js";
import type { Finding } from "./doctor-checks.js";

const CHECK = "model keys";

/**
 * Whether the agents can reach a model: every provider of `agents.defaults.model` has a
 * key (auth profile, env variable from the provider table, or config), or, with no
 * model set, some provider in the table has one. Names sources, never values.
 */
export async function checkModelKeys(
  config: OpenClawConfig,
  env: NodeJS.ProcessEnv,
  stateDir: string,
): Promise<Finding[]> {
  let registry: ReturnType<typeof createModelRegistry>;
  let chain: ReturnType<typeof registry.defaultChain>;
  try {
    // The schema's model entries are wider than the registry's view (audio input, …).
    registry = createModelRegistry(config as ProvidersConfig, { env });
    chain = registry.defaultChain();
  } catch (err) {
    return [{ severity: "error", check: CHECK, message: (err as Error).message }];
  }
  const agentId = resolveDefaultAgentId(config.agents?.list);
  const profiles = createAuthProfileStore({ stateDir, agentId });
  await profiles.load();
  if (chain.length === 0) {
    const found = Object.keys(PROVIDER_ENV_KEYS).flatMap((provider) =>
      registry.credentials(provider, profiles).map((c) => `${provider} (${c.source})`),
    );
    if (found.length > 0) return [{ severity: "ok", check: CHECK, message: `keys for ${found.join(", ")}` }];
    return [
      {
        severity: "warn",
        check: CHECK,
        message: `no model key found: set ${starterKeyList()} (other providers' variables: docs/providers.md)`,
      },
    ];
  }
  const findings: Finding[] = [];
  for (const provider of new Set(chain.map((ref) => ref.provider))) {
    try {
      const sources = registry.requireCredentials(provider, profiles).map((c) => c.source);
      findings.push({ severity: "ok", check: CHECK, message: `${provider}: ${sources.join(", ")}` });
    } catch (err) {
      // A missing key, or an unknown provider in the chain (ModelConfigError): both fix-it messages.
      if (!(err instanceof MissingApiKeyError) && !(err instanceof ModelConfigError)) throw err;
      findings.push({ severity: "error", check: CHECK, message: err.message });
    }
  }
  return findings;
}
