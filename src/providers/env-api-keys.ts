/**
 * The one table from model provider to the environment variables holding its API key
 * (pi-ai's env-api-keys idea). The live key lookup (registry.ts), the gateway's
 * startup hint, `openclaw doctor` and docs/providers.md all read it; nothing else
 * names a provider's env variable.
 */

/** Env variables holding each provider's API key, in order of preference (first set wins). */
export const PROVIDER_ENV_KEYS: Readonly<Record<string, readonly string[]>> = {
  anthropic: ["ANTHROPIC_API_KEY"],
  openai: ["OPENAI_API_KEY"],
  // The order @google/genai itself uses when both are set.
  google: ["GOOGLE_API_KEY", "GEMINI_API_KEY"],
  openrouter: ["OPENROUTER_API_KEY"],
  groq: ["GROQ_API_KEY"],
  mistral: ["MISTRAL_API_KEY"],
  xai: ["XAI_API_KEY"],
  deepseek: ["DEEPSEEK_API_KEY"],
  minimax: ["MINIMAX_API_KEY"],
};

/**
 * The providers a fresh install is pointed at first (the quick start's three), in the
 * order the default model is guessed from (see agents/model-cache.ts).
 */
export const STARTER_PROVIDERS = ["anthropic", "openai", "google"] as const;

/**
 * A provider's env variables. A custom provider (`models.providers.<id>`) whose id is
 * in the table uses the table's; any other custom id has none: as in OpenClaw, its key
 * is written `apiKey: "${MY_KEY}"`, substituted from the environment when the config loads.
 */
export function envKeysFor(provider: string): readonly string[] {
  return PROVIDER_ENV_KEYS[provider] ?? [];
}

/** The first set env variable of a provider, by name (the value stays with the caller). */
export function findEnvApiKey(
  provider: string,
  env: NodeJS.ProcessEnv,
): { name: string; key: string } | undefined {
  for (const name of envKeysFor(provider)) {
    const key = env[name]?.trim();
    if (key) return { name, key };
  }
  return undefined;
}

/** Providers whose key is in the environment, in table order. */
export function providersWithEnvKey(env: NodeJS.ProcessEnv): string[] {
  return Object.keys(PROVIDER_ENV_KEYS).filter((provider) => findEnvApiKey(provider, env));
}

/** `ANTHROPIC_API_KEY, OPENAI_API_KEY or GOOGLE_API_KEY`: the starter providers' first variable each. */
export function starterKeyList(): string {
  const names = STARTER_PROVIDERS.map((p) => envKeysFor(p)[0]!);
  return `${names.slice(0, -1).join(", ")} or ${names.at(-1)}`;
}

/**
 * Env variables of the `web_search` providers, read by agents/tools/web-search-run.ts.
 * BRAVE_API_KEY is a credential by name (infra/secrets.ts), so it is masked in logs like
 * the model keys; SEARXNG_BASE_URL names the user's own SearXNG server (no secret).
 */
export const WEB_SEARCH_ENV_KEYS = {
  brave: ["BRAVE_API_KEY"],
  searxng: ["SEARXNG_BASE_URL"],
} as const satisfies Record<string, readonly string[]>;

/** The first set env variable of a web search provider (its key or base URL). */
export function findWebSearchEnv(
  provider: keyof typeof WEB_SEARCH_ENV_KEYS,
  env: NodeJS.ProcessEnv,
): string | undefined {
  for (const name of WEB_SEARCH_ENV_KEYS[provider]) {
    const value = env[name]?.trim();
    if (value) return value;
  }
  return undefined;
}
