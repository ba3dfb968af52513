import type { ModelApi } from "./types.js";

/** A model as listed in a catalogue or in `models.providers.<id>.models[]`. */
export interface ModelEntry {
  id: string;
  name?: string;
  input?: ("text" | "image")[];
  contextWindow?: number;
  maxTokens?: number;
  reasoning?: boolean;
}

export interface BuiltinProvider {
  api: ModelApi;
  baseUrl: string;
  models: ModelEntry[];
}

/**
 * The providers known without any config: endpoint, API and a small catalogue (their
 * env variables are in env-api-keys.ts). Model ids not listed still work (new models
 * appear faster than releases); they get the defaults below.
 */
export const BUILTIN_PROVIDERS: Record<string, BuiltinProvider> = {
  anthropic: {
    api: "anthropic-messages",
    baseUrl: "https://api.anthropic.com",
    models: [
      {
        id: "claude-opus-4-6",
        name: "Claude Opus 4.6",
        input: ["text", "image"],
        contextWindow: 200_000,
        maxTokens: 32_000,
      },
      {
        id: "claude-sonnet-4-6",
        name: "Claude Sonnet 4.6",
        input: ["text", "image"],
        contextWindow: 200_000,
        maxTokens: 64_000,
      },
      {
        // End of life 2026-11-30; listed so configs naming it keep its limits until changed.
        id: "claude-sonnet-4-5",
        name: "Claude Sonnet 4.5",
        input: ["text", "image"],
        contextWindow: 200_000,
        maxTokens: 64_000,
      },
      {
        id: "claude-haiku-4-5",
        name: "Claude Haiku 4.5",
        input: ["text", "image"],
        contextWindow: 200_000,
        maxTokens: 64_000,
      },
    ],
  },
  openai: {
    api: "openai-responses",
    baseUrl: "https://api.openai.com/v1",
    models: [
      {
        id: "gpt-5.2",
        name: "GPT-5.2",
        input: ["text", "image"],
        contextWindow: 400_000,
        maxTokens: 128_000,
      },
      {
        id: "gpt-5-mini",
        name: "GPT-5 mini",
        input: ["text", "image"],
        contextWindow: 400_000,
        maxTokens: 128_000,
      },
      {
        id: "gpt-4.1",
        name: "GPT-4.1",
        input: ["text", "image"],
        contextWindow: 1_047_576,
        maxTokens: 32_768,
      },
    ],
  },
  google: {
    api: "google-generative-ai",
    baseUrl: "https://generativelanguage.googleapis.com/v1beta",
    models: [
      {
        id: "gemini-2.5-pro",
        name: "Gemini 2.5 Pro",
        input: ["text", "image"],
        contextWindow: 1_048_576,
        maxTokens: 65_536,
      },
      {
        id: "gemini-2.5-flash",
        name: "Gemini 2.5 Flash",
        input: ["text", "image"],
        contextWindow: 1_048_576,
        maxTokens: 65_536,
      },
    ],
  },
  // OpenAI-compatible endpoints: any model id they serve works with the default limits.
  openrouter: { api: "openai-completions", baseUrl: "https://openrouter.ai/api/v1", models: [] },
  groq: { api: "openai-completions", baseUrl: "https://api.groq.com/openai/v1", models: [] },
  mistral: { api: "openai-completions", baseUrl: "https://api.mistral.ai/v1", models: [] },
  xai: { api: "openai-completions", baseUrl: "https://api.x.ai/v1", models: [] },
  deepseek: { api: "openai-completions", baseUrl: "https://api.deepseek.com/v1", models: [] },
  // MiniMax serves an Anthropic-compatible Messages API (OpenClaw and pi-ai use it).
  minimax: { api: "anthropic-messages", baseUrl: "https://api.minimax.io/anthropic", models: [] },
};

/** For a model id no catalogue lists: conservative limits that any current model meets. */
export const DEFAULT_MODEL_LIMITS = {
  contextWindow: 128_000,
  maxTokens: 8_192,
  input: ["text"] as ("text" | "image")[],
};
