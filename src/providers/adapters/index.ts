import type { ModelApi, ProviderAdapter } from "../types.js";

/**
 * Adapters by API, each behind a dynamic import so that its SDK is parsed only when a
 * model of that API is first used: an idle gateway loads none of them (esbuild puts
 * each in its own chunk).
 *
 * Why the official SDKs (`@anthropic-ai/sdk`, `openai`, `@google/genai`) and not
 * pi-ai: they are the vendors' maintained clients, each lets us set the base URL and
 * turn its own retries off, and they throw typed errors with the HTTP status and
 * headers (`retry-after`), which failover needs to tell 429 from 400; pi-ai reduces
 * errors to a message string, pulls in the AWS Bedrock and Mistral SDKs, and ships a
 * 550 KB generated model catalogue into every provider chunk. The mapping to our
 * events is ours, one small file per API, as the house style asks.
 */
const loaders: Record<ModelApi, () => Promise<{ adapter: ProviderAdapter }>> = {
  "anthropic-messages": () => import("./anthropic-messages.js"),
  "openai-completions": () => import("./openai-completions.js"),
  "openai-responses": () => import("./openai-responses.js"),
  "google-generative-ai": () => import("./google-generative-ai.js"),
};

const loaded = new Map<ModelApi, Promise<ProviderAdapter>>();

export function loadAdapter(api: ModelApi): Promise<ProviderAdapter> {
  let adapter = loaded.get(api);
  if (!adapter) {
    adapter = loaders[api]().then((m) => m.adapter);
    // A failed import (a broken install) should be retried next time, not cached.
    adapter.catch(() => loaded.delete(api));
    loaded.set(api, adapter);
  }
  return adapter;
}
