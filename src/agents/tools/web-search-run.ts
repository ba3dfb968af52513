/**
 * The web_search providers (Brave Search API in web-search-brave.ts, SearXNG's JSON API), the short result
 * cache and OpenClaw's normalized result shape. Loaded on the first search only
 * (web-search.ts imports it dynamically): an install without search never loads it.
 */
import { randomBytes } from "node:crypto";
import type { WebSearchSettings } from "../../config/schema/media.js";
import { type ToolResult, text } from "./types.js";
import type { ResolvedSearchProvider, WebSearchParams } from "./web-search.js";
import { searchBrave } from "./web-search-brave.js";
import {
  canonicalUrl,
  clip,
  compact,
  getJson,
  isoPublished,
  SearchFailure,
  type SearchResult,
} from "./web-search-http.js";

export { WEB_SEARCH_MAX_RESPONSE_BYTES } from "./web-search-http.js";

/** OpenClaw's default result count. */
const DEFAULT_COUNT = 5;
/** OpenClaw's default request timeout for a search (DNS, request and body). */
const DEFAULT_TIMEOUT_SECONDS = 30;
/** OpenClaw's default: the same query within 15 minutes is answered from memory. */
const DEFAULT_CACHE_TTL_MINUTES = 15;
/** Distinct searches kept; an agent rarely repeats more than a handful, 100 bounds memory at ~1 MB. */
export const WEB_SEARCH_CACHE_MAX_ENTRIES = 100;

type Success = {
  kind: "results";
  provider: string;
  query: string;
  count: number;
  /** Brave's LLM Context mode only: results carry `snippets` (page text) instead of `snippet`. */
  mode?: "llm-context";
  tookMs?: number;
  results: SearchResult[];
};
type Failure = { kind: "error"; provider: string; error: "provider_error"; message: string };

const cache = new Map<string, { at: number; output: Success }>();

/** Empties the cache (tests). */
export function clearWebSearchCache(): void {
  cache.clear();
}

export async function runWebSearch(
  resolved: ResolvedSearchProvider,
  settings: WebSearchSettings,
  params: WebSearchParams,
  signal: AbortSignal,
): Promise<ToolResult> {
  if ("problem" in resolved) return render(failure(resolved.provider, resolved.problem));
  const count = params.count ?? settings.maxResults ?? DEFAULT_COUNT;
  const ttlMs = (settings.cacheTtlMinutes ?? DEFAULT_CACHE_TTL_MINUTES) * 60_000;
  // The base URL and Brave's mode are part of the key: two servers (or proxies), or a
  // web answer and an LLM Context answer to the same query, never share an entry.
  const mode = resolved.provider === "brave" ? resolved.mode : undefined;
  const key = JSON.stringify([resolved.provider, mode, resolved.baseUrl, { ...params, count }]);
  const hit = ttlMs > 0 ? cache.get(key) : undefined;
  if (hit && Date.now() - hit.at < ttlMs) return render(hit.output, true);
  const timeout = AbortSignal.timeout((settings.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000);
  const both = AbortSignal.any([signal, timeout]);
  const started = Date.now();
  let results: SearchResult[];
  try {
    results =
      resolved.provider === "brave"
        ? await searchBrave(resolved, params, count, both)
        : await searchSearxng(resolved, params, count, both);
  } catch (err) {
    const secret = resolved.provider === "brave" ? resolved.apiKey : undefined;
    return render(failure(resolved.provider, describe(err, timeout, secret)));
  }
  const output: Success = {
    kind: "results",
    provider: resolved.provider,
    ...(mode === "llm-context" ? { mode } : {}),
    query: params.query,
    count: results.length,
    tookMs: Date.now() - started,
    results,
  };
  if (ttlMs > 0) remember(key, output);
  return render(output);
}

function remember(key: string, output: Success): void {
  cache.delete(key);
  cache.set(key, { at: Date.now(), output });
  // Oldest first in insertion order: drop from the front.
  while (cache.size > WEB_SEARCH_CACHE_MAX_ENTRIES) cache.delete(cache.keys().next().value!);
}

const failure = (provider: string, message: string): Failure => ({
  kind: "error",
  provider,
  error: "provider_error",
  message,
});

function describe(err: unknown, timeout: AbortSignal, secret: string | undefined): string {
  let message: string;
  if (err instanceof SearchFailure) message = err.message;
  else if (timeout.aborted)
    message = "the search provider did not answer in time (tools.web.search.timeoutSeconds)";
  else {
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    message = `could not reach the search provider (${cause ?? (err as Error).message})`;
  }
  // Belt and braces: no path above includes the key, and none may start to.
  return secret ? message.split(secret).join("***") : message;
}

/** OpenClaw's closed output shape; prose fields wrapped once as untrusted external content. */
function render(output: Success | Failure, cached = false): ToolResult {
  if (output.kind === "error") return text(JSON.stringify(output), true);
  const id = randomBytes(8).toString("hex");
  const wrap = (s: string) => wrapExternal(s, id);
  const results = output.results.map((r) => ({
    title: wrap(r.title),
    url: r.url,
    ...(r.snippet ? { snippet: wrap(r.snippet) } : {}),
    ...(r.snippets ? { snippets: r.snippets.map(wrap) } : {}),
    ...(r.published ? { published: r.published } : {}),
    ...(r.siteName ? { siteName: wrap(r.siteName) } : {}),
  }));
  const shaped = {
    ...output,
    results,
    externalContent: { untrusted: true, source: "web_search", wrapped: true, provider: output.provider },
    ...(cached ? { cached: true } : {}),
  };
  return text(JSON.stringify(shaped));
}

const ENVELOPE_LINE = /<<<(END_)?EXTERNAL_UNTRUSTED_CONTENT[^>]*>>>/g;

/** OpenClaw's envelope; markers already in the text are removed so a page cannot forge an end. */
function wrapExternal(s: string, id: string): string {
  const body = s.replace(ENVELOPE_LINE, "");
  return `<<<EXTERNAL_UNTRUSTED_CONTENT id="${id}">>>\nSource: Web Search\n---\n${body}\n<<<END_EXTERNAL_UNTRUSTED_CONTENT id="${id}">>>`;
}

async function searchSearxng(
  p: Extract<ResolvedSearchProvider, { provider: "searxng" }>,
  params: WebSearchParams,
  count: number,
  signal: AbortSignal,
): Promise<SearchResult[]> {
  const categories = params.categories ?? p.categories ?? "general";
  let results = await searxngOnce(p, params, categories, count, signal);
  // OpenClaw's category fallback: an empty answer from a narrow category gets one general retry.
  if (results.length === 0 && categories !== "general") {
    results = await searxngOnce(p, params, "general", count, signal);
  }
  return results;
}

async function searxngOnce(
  p: Extract<ResolvedSearchProvider, { provider: "searxng" }>,
  params: WebSearchParams,
  categories: string,
  count: number,
  signal: AbortSignal,
): Promise<SearchResult[]> {
  const url = new URL(`${p.baseUrl.replace(/\/+$/, "")}/search`);
  url.searchParams.set("q", params.query);
  url.searchParams.set("format", "json");
  url.searchParams.set("categories", categories);
  const language = params.language ?? p.language;
  if (language) url.searchParams.set("language", language);
  if (params.freshness) url.searchParams.set("time_range", params.freshness);
  const body = (await getJson(url, {}, signal, "SearXNG")) as { results?: Record<string, unknown>[] };
  return (body.results ?? [])
    .flatMap((r) => {
      const link = canonicalUrl(r.url);
      if (!link) return [];
      return [
        compact({
          title: clip(r.title) ?? link,
          url: link,
          snippet: clip(r.content),
          published: isoPublished(r.publishedDate),
          siteName: undefined,
        }),
      ];
    })
    .slice(0, count);
}
