import OpenAI from "openai";
import type { StreamRequest } from "../types.js";
import { cachedClient } from "./shared.js";

/** The `openai` SDK client both OpenAI adapters (Chat Completions, Responses) use, one per endpoint and key. */
export function openaiClient(request: StreamRequest): OpenAI {
  return cachedClient(
    "openai",
    request,
    () =>
      new OpenAI({
        apiKey: request.apiKey,
        baseURL: request.model.baseUrl,
        defaultHeaders: request.model.headers,
        // failover.ts is the one retry layer.
        maxRetries: 0,
        // SDK logs would print raw stream data; errors reach us as events instead.
        logLevel: "off",
      }),
  );
}
