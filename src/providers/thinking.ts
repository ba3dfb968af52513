import type { ResolvedModel } from "./types.js";

/**
 * OpenClaw's thinking levels (`/think`, `sessions.patch { thinkingLevel }`, the Control UI,
 * `agents.defaults.thinkingDefault`, `agents.defaults.models["<provider>/<model>"].params.thinking`):
 * one ladder each model maps to its own request fields. Pure functions: the failover
 * resolves the level for each model call (thinkingForCall), the adapters add the fields
 * (anthropicThinkingFields, openaiReasoningFields, openaiCompletionsReasoningFields).
 */

export const THINKING_LEVELS = [
  "off",
  "minimal",
  "low",
  "medium",
  "high",
  "xhigh",
  "adaptive",
  "max",
] as const;
export type ThinkingLevel = (typeof THINKING_LEVELS)[number];

/** The ladder's order, for remapping a level a model lacks to its nearest one (adaptive sits at medium). */
const RANK: Record<ThinkingLevel, number> = {
  off: 0,
  minimal: 1,
  low: 2,
  medium: 3,
  adaptive: 3,
  high: 4,
  xhigh: 5,
  max: 6,
};

/** OpenClaw's spellings of the levels (`x-high`, `highest`…); false and "disabled" mean off. */
const ALIASES: Record<string, ThinkingLevel> = {
  "x-high": "xhigh",
  x_high: "xhigh",
  "extra-high": "xhigh",
  "extra high": "xhigh",
  extra_high: "xhigh",
  highest: "high",
  disabled: "off",
  none: "off",
};

/** A level as typed or configured, canonical; undefined when it is not one. */
export function parseThinkingLevel(value: unknown): ThinkingLevel | undefined {
  if (value === false) return "off";
  if (typeof value !== "string") return undefined;
  const v = value.trim().toLowerCase();
  return (THINKING_LEVELS as readonly string[]).includes(v) ? (v as ThinkingLevel) : ALIASES[v];
}

/** The levels a model offers and the one it uses when nobody chose (OpenClaw's thinking profile). */
export interface ThinkingProfile {
  levels: readonly ThinkingLevel[];
  default: ThinkingLevel;
  /** How the level reaches the API (see the field builders below). */
  wire: "anthropic-budget" | "anthropic-effort" | "openai-reasoning" | "openai-completions";
  /** OpenAI: the model accepts `effort: "none"` (off is sent); else off sends no field. */
  noneEffort?: boolean;
}

/** Claude ids as Anthropic writes them, dots allowed (`claude-opus-4.8`). */
const claudeId = (model: string) => model.trim().toLowerCase().replaceAll(".", "-");
const claude = (id: string, pattern: string) =>
  new RegExp(`(?:^|[-/])claude-(?:${pattern})(?=$|[^a-z0-9])`).test(id);

const BUDGET_LEVELS = ["off", "minimal", "low", "medium", "high"] as const;
const EFFORT_LEVELS = ["off", "low", "medium", "high", "xhigh", "max"] as const;
const ALWAYS_ON_LEVELS = ["low", "medium", "high", "xhigh", "max"] as const;

function anthropicProfile(model: Pick<ResolvedModel, "ref" | "reasoning">): ThinkingProfile | undefined {
  const id = claudeId(model.ref.model);
  // Adaptive thinking with an effort: Opus 4.7+, Opus 5, Sonnet 5; Fable and Mythos cannot turn it off.
  if (claude(id, "fable-5|mythos-5")) {
    return {
      levels: ALWAYS_ON_LEVELS,
      default: claude(id, "mythos-5") ? "high" : "medium",
      wire: "anthropic-effort",
    };
  }
  if (claude(id, "opus-5|sonnet-5"))
    return { levels: EFFORT_LEVELS, default: "high", wire: "anthropic-effort" };
  if (claude(id, "opus-4-7|opus-4-8"))
    return { levels: EFFORT_LEVELS, default: "off", wire: "anthropic-effort" };
  // Claude 4.6: fixed budgets or adaptive, adaptive by default.
  if (claude(id, "opus-4-6|sonnet-4-6")) {
    return { levels: [...BUDGET_LEVELS, "adaptive"], default: "adaptive", wire: "anthropic-budget" };
  }
  // Extended thinking with a budget: Claude 3.7 and the other Claude 4 models.
  if (claude(id, "3-7-sonnet|sonnet-4|opus-4|haiku-4") || model.reasoning) {
    return { levels: BUDGET_LEVELS, default: "off", wire: "anthropic-budget" };
  }
  return undefined;
}

function openaiProfile(model: Pick<ResolvedModel, "ref" | "reasoning">): ThinkingProfile | undefined {
  const id = model.ref.model.toLowerCase();
  const minor = /^gpt-5\.(\d+)/.exec(id);
  if (minor) {
    // GPT-5.1 replaced `minimal` with `none`; GPT-5.2 added `xhigh`.
    const levels: ThinkingLevel[] = [
      "off",
      "low",
      "medium",
      "high",
      ...(Number(minor[1]) >= 2 ? ["xhigh" as const] : []),
    ];
    return { levels, default: "medium", wire: "openai-reasoning", noneEffort: true };
  }
  if (/^(gpt-5|o[134])(?=$|-)/.test(id) || model.reasoning) {
    return {
      levels: ["off", "minimal", "low", "medium", "high"],
      default: "medium",
      wire: "openai-reasoning",
    };
  }
  return undefined;
}

/**
 * A model's thinking profile; undefined when it cannot think (or we cannot tell it how):
 * Claude models on any `anthropic-messages` provider, OpenAI reasoning models on the
 * built-in `openai` Responses provider, and any model marked `reasoning: true` in
 * `models.providers.<id>.models[]` on the Anthropic, Responses or Chat Completions APIs.
 */
export function thinkingProfile(
  model: Pick<ResolvedModel, "ref" | "api" | "reasoning">,
): ThinkingProfile | undefined {
  if (model.api === "anthropic-messages") return anthropicProfile(model);
  if (model.api === "openai-responses" && (model.ref.provider === "openai" || model.reasoning)) {
    return openaiProfile(model);
  }
  if (model.api === "openai-completions" && model.reasoning) {
    return {
      levels: ["off", "minimal", "low", "medium", "high"],
      default: "medium",
      wire: "openai-completions",
    };
  }
  return undefined;
}

/** A level the model lacks, moved to its nearest one (OpenClaw's remapping by rank). */
export function fitLevel(profile: ThinkingProfile, level: ThinkingLevel): ThinkingLevel {
  if (profile.levels.includes(level)) return level;
  if (level === "adaptive") return profile.default !== "off" ? profile.default : fitLevel(profile, "medium");
  const on = profile.levels.filter((l) => l !== "off" && l !== "adaptive");
  if (level === "off") return on[0] ?? profile.default; // a model that always thinks: its lowest effort
  let best = on[0] ?? profile.default;
  for (const l of on) if (Math.abs(RANK[l] - RANK[level]) < Math.abs(RANK[best] - RANK[level])) best = l;
  return best;
}

/**
 * The level one model call runs at: the turn's or session's choice, else the model's
 * configured default (`params.thinking`, then `agents.defaults.thinkingDefault`), else the
 * profile's, fitted to what the model offers. Undefined for a model that cannot think.
 */
export function thinkingForCall(
  model: Pick<ResolvedModel, "ref" | "api" | "reasoning" | "params">,
  chosen: ThinkingLevel | undefined,
): ThinkingLevel | undefined {
  const profile = thinkingProfile(model);
  if (!profile) return undefined;
  return fitLevel(profile, chosen ?? model.params?.thinking ?? profile.default);
}

/** OpenClaw's `thinkingLevels` / `thinkingOptions` / `thinkingDefault` for a model (or none known). */
export function thinkingChoices(
  model: Pick<ResolvedModel, "ref" | "api" | "reasoning" | "params"> | undefined,
) {
  const profile = model && thinkingProfile(model);
  const levels = profile?.levels ?? ["off"];
  return {
    thinkingLevels: levels.map((id) => ({ id, label: id })),
    thinkingOptions: [...levels],
    thinkingDefault: (model && thinkingForCall(model, undefined)) ?? "off",
  };
}

/**
 * Anthropic's extended-thinking budgets by level (the values pi-ai, OpenClaw's agent
 * core, uses); `max_tokens` must stay above the budget, so it grows by it (up to the
 * model's output limit) and the budget shrinks when the limit is too small.
 */
const BUDGETS: Partial<Record<ThinkingLevel, number>> = {
  minimal: 1024,
  low: 2048,
  medium: 8192,
  high: 16384,
};
const MIN_BUDGET = 1024;

export interface AnthropicThinkingFields {
  thinking?: { type: "enabled"; budget_tokens: number } | { type: "adaptive" } | { type: "disabled" };
  output_config?: { effort: "low" | "medium" | "high" | "xhigh" | "max" };
  max_tokens?: number;
  /** Anthropic refuses a temperature other than 1 with thinking on: the request then sends none. */
  dropTemperature: boolean;
}

/** The fields an Anthropic Messages request gets for the call's level (none: nothing sent). */
export function anthropicThinkingFields(
  model: Pick<ResolvedModel, "ref" | "api" | "reasoning" | "maxTokens">,
  level: ThinkingLevel | undefined,
  maxTokens: number,
): AnthropicThinkingFields {
  const profile = thinkingProfile(model);
  if (!profile || level === undefined) return { dropTemperature: false };
  // Without a field the Messages API does not think; the adaptive models are told so outright.
  if (level === "off") {
    return profile.wire === "anthropic-effort"
      ? { thinking: { type: "disabled" }, dropTemperature: false }
      : { dropTemperature: false };
  }
  if (profile.wire === "anthropic-effort") {
    const effort = level === "minimal" ? "low" : level === "adaptive" ? "medium" : level;
    return { thinking: { type: "adaptive" }, output_config: { effort }, dropTemperature: true };
  }
  if (level === "adaptive") return { thinking: { type: "adaptive" }, dropTemperature: true };
  const wanted = BUDGETS[level] ?? BUDGETS.high!;
  const max = Math.min(model.maxTokens, maxTokens + wanted);
  const budget = Math.min(wanted, max - MIN_BUDGET);
  if (budget < MIN_BUDGET) return { dropTemperature: false }; // no room to think: the model's default
  return { thinking: { type: "enabled", budget_tokens: budget }, max_tokens: max, dropTemperature: true };
}

/** OpenAI Responses `reasoning` for the call's level; off sends `none` only where the model takes it. */
export function openaiReasoningFields(
  model: Pick<ResolvedModel, "ref" | "api" | "reasoning">,
  level: ThinkingLevel | undefined,
): { reasoning?: { effort: "none" | "minimal" | "low" | "medium" | "high" | "xhigh" } } {
  const profile = thinkingProfile(model);
  if (!profile || level === undefined || profile.wire !== "openai-reasoning") return {};
  if (level === "off") return profile.noneEffort ? { reasoning: { effort: "none" } } : {};
  return { reasoning: { effort: effortOf(level) } };
}

/** Chat Completions `reasoning_effort` for a `reasoning: true` model; off sends nothing. */
export function openaiCompletionsReasoningFields(
  model: Pick<ResolvedModel, "ref" | "api" | "reasoning">,
  level: ThinkingLevel | undefined,
): { reasoning_effort?: "minimal" | "low" | "medium" | "high" } {
  const profile = thinkingProfile(model);
  if (!profile || level === undefined || level === "off" || profile.wire !== "openai-completions") return {};
  const effort = effortOf(level);
  return { reasoning_effort: effort === "xhigh" ? "high" : effort };
}

const effortOf = (level: Exclude<ThinkingLevel, "off">) =>
  level === "adaptive" ? "medium" : level === "max" ? "xhigh" : level;
