import type { FastMode, ModelParams, ResolvedModel } from "./types.js";

/**
 * OpenClaw's Fast mode: one switch (`/fast`, `sessions.patch { fastMode }`, the Control UI,
 * `agents.defaults.models["<provider>/<model>"].params.fastMode`) that each vendor maps to
 * its own request fields. Pure functions: the failover resolves the mode for each model
 * call (fastForCall), the adapters add the fields (anthropicFastFields, openaiFastFields).
 */

/** OpenClaw's `DEFAULT_FAST_MODE_AUTO_ON_SECONDS`. */
export const DEFAULT_FAST_AUTO_ON_SECONDS = 60;

/** Anthropic's beta header value that enables `speed: "fast"`. */
export const ANTHROPIC_FAST_MODE_BETA = "fast-mode-2026-02-01";

/** `params` as written in the config (either spelling OpenClaw accepts), typed; unknown keys ignored. */
export function modelParamsOf(raw: Record<string, unknown> | undefined): ModelParams | undefined {
  if (!raw) return undefined;
  const fastMode = parseFastMode(raw.fastMode ?? raw.fast_mode);
  const seconds = raw.fastAutoOnSeconds;
  const tier = raw.serviceTier ?? raw.service_tier;
  const params: ModelParams = {
    ...(fastMode !== undefined ? { fastMode } : {}),
    ...(typeof seconds === "number" && seconds > 0 ? { fastAutoOnSeconds: seconds } : {}),
    ...(typeof tier === "string" && tier.trim() ? { serviceTier: tier.trim().toLowerCase() } : {}),
  };
  return Object.keys(params).length ? params : undefined;
}

export function parseFastMode(value: unknown): FastMode | undefined {
  return value === true || value === false || value === "auto" ? value : undefined;
}

/**
 * Whether one model call runs fast: `"auto"` only when the call starts less than the
 * cutoff after the turn began (later retries, fallbacks and tool-result rounds run
 * without). Undefined when nobody chose: the request then carries no Fast-mode field.
 */
export function fastForCall(
  mode: FastMode | undefined,
  turnStartedAtMs: number,
  nowMs: number,
  autoOnSeconds = DEFAULT_FAST_AUTO_ON_SECONDS,
): boolean | undefined {
  if (mode !== "auto") return mode;
  return nowMs - turnStartedAtMs < autoOnSeconds * 1000;
}

/** How Fast mode reaches a model's API; undefined: it has no effect there. */
export type FastPlan = "anthropic-speed" | "anthropic-tier" | "openai-priority";

const ANTHROPIC_TIERS = new Set(["auto", "standard_only"]);
const OPENAI_TIERS = new Set(["auto", "default", "flex", "priority"]);

/** Claude model ids as Anthropic writes them, dots allowed (`claude-opus-4.8`). */
const claudeId = (model: string) => model.trim().toLowerCase().replaceAll(".", "-");
const family = (id: string, name: string) => new RegExp(`(?:^|-)claude-${name}(?=$|[^a-z0-9])`).test(id);

/**
 * The mapping OpenClaw documents: direct Anthropic Opus 5.5, Opus 5 and Opus 4.8 use
 * native `speed: "fast"`; other Anthropic models the Priority Tier; Sonnet 5 neither;
 * OpenAI Responses `service_tier: "priority"`. An explicit service tier in the model's
 * params wins, so Fast mode then does nothing. Only the built-in `anthropic` and `openai`
 * providers get the fields: a custom provider id (a proxy, OpenRouter) never does.
 */
export function fastModePlan(model: Pick<ResolvedModel, "ref" | "api" | "params">): FastPlan | undefined {
  const tier = model.params?.serviceTier;
  const { provider, model: id } = model.ref;
  if (provider === "anthropic" && model.api === "anthropic-messages") {
    if (tier && ANTHROPIC_TIERS.has(tier)) return undefined;
    const claude = claudeId(id);
    if (family(claude, "opus-5") || family(claude, "opus-4-8")) return "anthropic-speed";
    if (family(claude, "sonnet-5")) return undefined;
    return "anthropic-tier";
  }
  if (provider === "openai" && model.api === "openai-responses") {
    return tier && OPENAI_TIERS.has(tier) ? undefined : "openai-priority";
  }
  return undefined;
}

/** Anthropic subscription (OAuth / setup-token) credentials: Fast mode never applies to them. */
const isAnthropicSubscriptionToken = (key: string) => key.startsWith("sk-ant-oat");

/** The body fields and beta headers an Anthropic Messages request gets for this call. */
export function anthropicFastFields(
  model: Pick<ResolvedModel, "ref" | "api" | "params">,
  apiKey: string,
  fast: boolean | undefined,
): { body: { speed?: "fast"; service_tier?: string }; betas: string[] } {
  const tier = model.params?.serviceTier;
  if (model.ref.provider === "anthropic" && tier && ANTHROPIC_TIERS.has(tier)) {
    return { body: { service_tier: tier }, betas: [] };
  }
  const plan = fastModePlan(model);
  if (fast === undefined || !plan || isAnthropicSubscriptionToken(apiKey)) return { body: {}, betas: [] };
  if (plan === "anthropic-speed") {
    return fast ? { body: { speed: "fast" }, betas: [ANTHROPIC_FAST_MODE_BETA] } : { body: {}, betas: [] };
  }
  return { body: { service_tier: fast ? "auto" : "standard_only" }, betas: [] };
}

/** The `service_tier` an OpenAI Responses request gets for this call, if any. */
export function openaiFastFields(
  model: Pick<ResolvedModel, "ref" | "api" | "params">,
  fast: boolean | undefined,
): { service_tier?: "auto" | "default" | "flex" | "priority" } {
  const tier = model.params?.serviceTier;
  if (model.ref.provider === "openai" && tier && OPENAI_TIERS.has(tier)) {
    return { service_tier: tier as "auto" | "default" | "flex" | "priority" };
  }
  return fast && fastModePlan(model) === "openai-priority" ? { service_tier: "priority" } : {};
}
