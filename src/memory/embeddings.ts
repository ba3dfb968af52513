import { findEnvApiKey } from "../providers/env-api-keys.js";

/**
 * Embedding providers for hybrid memory search (OpenClaw's `memorySearch.provider`):
 * OpenAI's /v1/embeddings and Gemini's batchEmbedContents, over fetch. Picked explicitly,
 * or, as in OpenClaw, the first with a key: OpenAI, then Gemini. No key: keyword search.
 */
export const EMBEDDING_PROVIDERS = ["openai", "gemini"] as const;
export type EmbeddingProviderId = (typeof EMBEDDING_PROVIDERS)[number];

const DEFAULTS: Record<EmbeddingProviderId, { model: string; baseUrl: string; keyProvider: string }> = {
  openai: { model: "text-embedding-3-small", baseUrl: "https://api.openai.com/v1", keyProvider: "openai" },
  gemini: {
    model: "gemini-embedding-001",
    baseUrl: "https://generativelanguage.googleapis.com/v1beta",
    keyProvider: "google",
  },
};
/** Texts per request: both APIs take batches; 64 keeps one request well under their size limits. */
export const EMBED_BATCH = 64;
/** One embedding request may take this long before the search falls back to keywords. */
export const EMBED_TIMEOUT_MS = 30_000;

export interface MemorySearchSettings {
  enabled?: boolean;
  provider?: string;
  model?: string;
  remote?: { baseUrl?: string; apiKey?: string };
  query?: {
    maxResults?: number;
    minScore?: number;
    hybrid?: { enabled?: boolean; vectorWeight?: number; textWeight?: number; candidateMultiplier?: number };
  };
}

export interface EmbeddingProvider {
  id: EmbeddingProviderId;
  model: string;
  embed(texts: readonly string[]): Promise<Float32Array[]>;
}

/** The provider settings say to use, or undefined for keyword-only search. */
export function resolveEmbeddingProvider(
  settings: MemorySearchSettings | undefined,
  ctx: {
    env?: NodeJS.ProcessEnv;
    providers?: Record<string, { apiKey?: string; baseUrl?: string } | undefined>;
  },
): EmbeddingProvider | undefined {
  const env = ctx.env ?? process.env;
  const keyFor = (id: EmbeddingProviderId) =>
    settings?.remote?.apiKey ??
    ctx.providers?.[DEFAULTS[id].keyProvider]?.apiKey ??
    findEnvApiKey(DEFAULTS[id].keyProvider, env)?.key;
  let id: EmbeddingProviderId | undefined;
  if (settings?.provider) {
    if (!(EMBEDDING_PROVIDERS as readonly string[]).includes(settings.provider)) {
      throw new Error(
        `agents.defaults.memorySearch.provider ${settings.provider} is not supported: use openai or gemini, or remove it for keyword search`,
      );
    }
    id = settings.provider as EmbeddingProviderId;
  } else {
    id = EMBEDDING_PROVIDERS.find((p) => keyFor(p));
  }
  if (!id) return undefined;
  const apiKey = keyFor(id);
  if (!apiKey) return undefined;
  const model = settings?.model ?? DEFAULTS[id].model;
  const baseUrl = (
    settings?.remote?.baseUrl ??
    ctx.providers?.[DEFAULTS[id].keyProvider]?.baseUrl ??
    DEFAULTS[id].baseUrl
  ).replace(/\/+$/, "");
  const embedBatch = id === "openai" ? openaiBatch : geminiBatch;
  return {
    id,
    model,
    async embed(texts) {
      const out: Float32Array[] = [];
      for (let i = 0; i < texts.length; i += EMBED_BATCH) {
        out.push(...(await embedBatch({ baseUrl, apiKey, model }, texts.slice(i, i + EMBED_BATCH))));
      }
      return out;
    },
  };
}

type Endpoint = { baseUrl: string; apiKey: string; model: string };

async function postJson(url: string, headers: Record<string, string>, body: unknown): Promise<unknown> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(EMBED_TIMEOUT_MS),
  });
  if (!res.ok) {
    // The status only: an error body may echo the request, and the key never goes in a message.
    throw new Error(`embedding request to ${new URL(url).host} failed with HTTP ${res.status}`);
  }
  return res.json();
}

async function openaiBatch(e: Endpoint, texts: string[]): Promise<Float32Array[]> {
  const json = (await postJson(
    `${e.baseUrl}/embeddings`,
    { authorization: `Bearer ${e.apiKey}` },
    { model: e.model, input: texts },
  )) as { data?: { index: number; embedding: number[] }[] };
  const data = [...(json.data ?? [])].sort((a, b) => a.index - b.index);
  return checked(
    data.map((d) => d.embedding),
    texts.length,
  );
}

async function geminiBatch(e: Endpoint, texts: string[]): Promise<Float32Array[]> {
  const model = e.model.startsWith("models/") ? e.model : `models/${e.model}`;
  const json = (await postJson(
    `${e.baseUrl}/${model}:batchEmbedContents`,
    { "x-goog-api-key": e.apiKey },
    { requests: texts.map((text) => ({ model, content: { parts: [{ text }] } })) },
  )) as { embeddings?: { values: number[] }[] };
  return checked(
    (json.embeddings ?? []).map((x) => x.values),
    texts.length,
  );
}

function checked(vectors: number[][], expected: number): Float32Array[] {
  if (vectors.length !== expected || vectors.some((v) => !Array.isArray(v) || v.length === 0)) {
    throw new Error(`embedding response had ${vectors.length} vectors for ${expected} texts`);
  }
  return vectors.map((v) => normalize(Float32Array.from(v)));
}

/** Unit length, so cosine similarity is a dot product. */
function normalize(v: Float32Array): Float32Array {
  let sum = 0;
  for (const x of v) sum += x * x;
  const norm = Math.sqrt(sum) || 1;
  for (let i = 0; i < v.length; i++) v[i] = (v[i] ?? 0) / norm;
  return v;
}

export function dot(a: Float32Array, b: Float32Array): number {
  const n = Math.min(a.length, b.length);
  let s = 0;
  for (let i = 0; i < n; i++) s += a[i]! * b[i]!;
  return s;
}
