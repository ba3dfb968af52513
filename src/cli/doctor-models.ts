import type { OpenClawConfig } from "../config/schema.js";
import { BUILTIN_PROVIDERS } from "../providers/catalog.js";
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

/** The API OpenClaw assumes for a `models.providers` entry that names none. */
const OPENCLAW_DEFAULT_API = "openai-completions";

/**
 * `models.providers.<built-in id>` without `api` (say `anthropic` with only `baseUrl`, a proxy):
 * ours keeps the built-in provider's API (Anthropic Messages), OpenClaw assumes OpenAI chat
 * completions, so one openclaw.json would speak two protocols. Naming `api` settles it.
 */
export function checkProviderApis(config: OpenClawConfig): Finding[] {
  const findings: Finding[] = [];
  for (const [id, provider] of Object.entries(config.models?.providers ?? {})) {
    const builtin = BUILTIN_PROVIDERS[id];
    if (!builtin || provider.api || builtin.api === OPENCLAW_DEFAULT_API) continue;
    findings.push({
      severity: "warn",
      check: "models",
      message: `models.providers.${id} sets no api: this gateway speaks ${builtin.api} to it, OpenClaw would speak ${OPENCLAW_DEFAULT_API}; set models.providers.${id}.api to the one your endpoint speaks`,
    });
  }
  return findings;
}
