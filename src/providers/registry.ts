import { configEnvVars, definedOnly } from "../config/load.js";
import { BUILTIN_PROVIDERS, DEFAULT_MODEL_LIMITS, type ModelEntry } from "./catalog.js";
import { envKeysFor, findEnvApiKey } from "./env-api-keys.js";
import { MissingApiKeyError, ModelConfigError } from "./errors.js";
import { modelParamsOf } from "./fast-mode.js";
import { parseThinkingLevel } from "./thinking.js";
import { MODEL_APIS, type ModelApi, type ModelRef, type ResolvedModel } from "./types.js";

/** `models.providers.<id>` (OpenClaw's custom-provider block). */
export interface ProviderConfig {
  baseUrl?: string;
  apiKey?: string;
  api?: ModelApi;
  headers?: Record<string, string>;
  models?: ModelEntry[];
}

/**
 * The slice of `openclaw.json` this layer reads. A local interface so the provider
 * layer does not depend on the config schema's internals; the full config satisfies it.
 */
export interface ProvidersConfig {
  models?: { providers?: Record<string, ProviderConfig> };
  agents?: {
    defaults?: {
      model?: string | { primary?: string; fallbacks?: string[] };
      models?: Record<string, { alias?: string; params?: Record<string, unknown> }>;
      thinkingDefault?: string;
    };
  };
  auth?: {
    profiles?: Record<string, { provider: string; mode?: string }>;
    order?: Record<string, string[]>;
  };
}

/** A key to try, and where it came from (for logs and errors; never the key itself). */
export interface Credential {
  key: string;
  /** Set when the key is an auth profile's (rotation and cooldown are per profile). */
  profileId?: string;
  source: string;
}

/** Stored auth-profile secrets, as the registry needs them (see auth-profiles.ts). */
export interface ProfileSecrets {
  /** Profile ids for a provider with a usable secret, in file order. */
  idsFor(provider: string): string[];
  secretOf(profileId: string): string | undefined;
}

export interface ModelRegistry {
  /** Parses `provider/model` (split on the first `/`) or an alias. */
  parseRef(raw: string): ModelRef;
  /** Endpoint, API and limits for a model; throws ModelConfigError for an unknown provider. */
  resolve(ref: ModelRef): ResolvedModel;
  /** Every catalogued model of every configured provider. */
  list(): ResolvedModel[];
  /** Primary then fallbacks from `agents.defaults.model`. */
  defaultChain(): ModelRef[];
  /** Keys to try for a provider: auth profiles (in `auth.order`), then env, then config. */
  credentials(provider: string, profiles?: ProfileSecrets): Credential[];
  /** As `credentials`, but throws MissingApiKeyError when there is none. */
  requireCredentials(provider: string, profiles?: ProfileSecrets): Credential[];
}

interface ProviderEntry {
  api: ModelApi;
  baseUrl: string;
  apiKey?: string;
  headers?: Record<string, string>;
  models: ModelEntry[];
}

/** When a ref has no provider, OpenClaw assumes Anthropic (deprecated there too). */
const DEFAULT_PROVIDER = "anthropic";

export function createModelRegistry(
  config: ProvidersConfig,
  opts: { env?: NodeJS.ProcessEnv; agentId?: string } = {},
): ModelRegistry {
  // OpenClaw's rule: the process environment wins; the config's `env` section fills gaps.
  const env = { ...configEnvVars(config), ...definedOnly(opts.env ?? process.env) };
  const agentId = opts.agentId ?? "main";
  const providers = buildProviders(config.models?.providers ?? {});
  const aliases = buildAliases(config);
  const modelEntries = config.agents?.defaults?.models ?? {};

  const parseRef = (raw: string): ModelRef => parseModelRef(raw, aliases);
  const resolve = (ref: ModelRef): ResolvedModel => {
    const entry =
      modelEntries[`${ref.provider}/${ref.model}`] ??
      (ref.provider === DEFAULT_PROVIDER ? modelEntries[ref.model] : undefined);
    const thinking =
      parseThinkingLevel(entry?.params?.thinking) ??
      parseThinkingLevel(config.agents?.defaults?.thinkingDefault);
    const fast = modelParamsOf(entry?.params);
    const params = thinking ? { ...fast, thinking } : fast;
    return { ...resolveModel(providers, ref), ...(params ? { params } : {}) };
  };
  const credentials = (providerId: string, profiles?: ProfileSecrets): Credential[] =>
    findCredentials({ providers, config, env }, providerId, profiles);

  return {
    parseRef,
    resolve,
    list: () =>
      [...providers.entries()].flatMap(([id, p]) =>
        p.models.map((m) => resolve({ provider: id, model: m.id })),
      ),
    defaultChain: () => {
      const model = config.agents?.defaults?.model;
      const primary = typeof model === "string" ? model : model?.primary;
      const fallbacks = typeof model === "string" ? [] : (model?.fallbacks ?? []);
      return [primary, ...fallbacks].filter((r): r is string => !!r).map(parseRef);
    },
    credentials,
    requireCredentials: (providerId, profiles) => {
      const found = credentials(providerId, profiles);
      if (!found.length) throw new MissingApiKeyError(providerId, envKeysFor(providerId), agentId);
      return found;
    },
  };
}

/** Lower-cased alias → the model reference it stands for. */
function buildAliases(config: ProvidersConfig): Map<string, string> {
  const aliases = new Map<string, string>();
  for (const [ref, entry] of Object.entries(config.agents?.defaults?.models ?? {})) {
    if (entry?.alias) aliases.set(entry.alias.toLowerCase(), ref);
  }
  return aliases;
}

function parseModelRef(raw: string, aliases: Map<string, string>): ModelRef {
  const text = raw.trim();
  const target = aliases.get(text.toLowerCase()) ?? text;
  const slash = target.indexOf("/");
  const ref =
    slash < 0
      ? { provider: DEFAULT_PROVIDER, model: target }
      : { provider: target.slice(0, slash), model: target.slice(slash + 1) };
  if (!ref.provider || !ref.model) {
    throw new ModelConfigError(
      `"${raw}" is not a model reference: use provider/model, e.g. anthropic/claude-opus-4-6.`,
    );
  }
  return ref;
}

function providerOf(providers: Map<string, ProviderEntry>, id: string): ProviderEntry {
  const entry = providers.get(id);
  if (!entry) {
    throw new ModelConfigError(
      `Unknown model provider "${id}": use one of ${[...providers.keys()].join(", ")} or add models.providers.${id} with baseUrl and api.`,
    );
  }
  return entry;
}

function resolveModel(providers: Map<string, ProviderEntry>, ref: ModelRef): ResolvedModel {
  const provider = providerOf(providers, ref.provider);
  const entry = provider.models.find((m) => m.id === ref.model);
  return {
    ref: { provider: ref.provider, model: ref.model },
    api: provider.api,
    baseUrl: provider.baseUrl,
    ...(provider.headers ? { headers: provider.headers } : {}),
    contextWindow: entry?.contextWindow ?? DEFAULT_MODEL_LIMITS.contextWindow,
    maxTokens: entry?.maxTokens ?? DEFAULT_MODEL_LIMITS.maxTokens,
    input: entry?.input ?? DEFAULT_MODEL_LIMITS.input,
    ...(entry?.reasoning !== undefined ? { reasoning: entry.reasoning } : {}),
  };
}

/** The keys to try for a provider, in order: auth profiles, the environment, the config. */
function findCredentials(
  sources: { providers: Map<string, ProviderEntry>; config: ProvidersConfig; env: Record<string, string> },
  providerId: string,
  profiles?: ProfileSecrets,
): Credential[] {
  const provider = providerOf(sources.providers, providerId);
  const out: Credential[] = [];
  for (const profileId of profileOrder(providerId, sources.config, profiles)) {
    const key = profiles?.secretOf(profileId);
    if (key) out.push({ key, profileId, source: `auth profile ${profileId}` });
  }
  const fromEnv = findEnvApiKey(providerId, sources.env);
  if (fromEnv) out.push({ key: fromEnv.key, source: `env ${fromEnv.name}` });
  if (provider.apiKey) out.push({ key: provider.apiKey, source: `models.providers.${providerId}.apiKey` });
  // The same key reachable two ways is one candidate, not two tries.
  return out.filter((c, i) => out.findIndex((o) => o.key === c.key) === i);
}

function buildProviders(custom: Record<string, ProviderConfig>): Map<string, ProviderEntry> {
  const out = new Map<string, ProviderEntry>();
  for (const [id, builtin] of Object.entries(BUILTIN_PROVIDERS))
    out.set(id, { ...builtin, models: [...builtin.models] });
  for (const [id, cfg] of Object.entries(custom)) {
    const base = out.get(id);
    if (cfg.api && !MODEL_APIS.includes(cfg.api)) {
      throw new ModelConfigError(
        `models.providers.${id}.api "${cfg.api}" is not supported: use ${MODEL_APIS.join(", ")}.`,
      );
    }
    const baseUrl = cfg.baseUrl ?? base?.baseUrl;
    if (!baseUrl)
      throw new ModelConfigError(`models.providers.${id} needs a baseUrl (e.g. http://localhost:4000/v1).`);
    out.set(id, {
      // Only overriding baseUrl on a built-in provider keeps its API and catalogue.
      api: cfg.api ?? base?.api ?? "openai-completions",
      baseUrl: baseUrl.replace(/\/+$/, ""),
      ...(cfg.apiKey ? { apiKey: cfg.apiKey } : {}),
      ...(cfg.headers ? { headers: cfg.headers } : {}),
      models: mergeModels(base?.models ?? [], cfg.models ?? []),
    });
  }
  return out;
}

function mergeModels(base: ModelEntry[], extra: ModelEntry[]): ModelEntry[] {
  const byId = new Map(base.map((m) => [m.id, m]));
  for (const m of extra) byId.set(m.id, { ...byId.get(m.id), ...m });
  return [...byId.values()];
}

/** `auth.order[provider]`, else `auth.profiles` for the provider, then the rest of the stored ones. */
function profileOrder(provider: string, config: ProvidersConfig, profiles?: ProfileSecrets): string[] {
  const explicit = config.auth?.order?.[provider];
  if (explicit?.length) return explicit;
  const declared = Object.entries(config.auth?.profiles ?? {})
    .filter(([, p]) => p.provider === provider)
    .map(([id]) => id);
  const stored = profiles?.idsFor(provider) ?? [];
  return [...new Set([...declared, ...stored])];
}
