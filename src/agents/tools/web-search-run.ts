/**
 * The web_search providers (Brave Search API, SearXNG's JSON API), the short result
 * cache and OpenClaw's normalized result shape. Loaded on the first search only
 * (web-search.ts imports it dynamically): an install without search never loads it.
 */
import { randomBytes } from "node:crypto";
import type { WebSearchSettings } from "../../config/schema/media.js";
import { type ToolResult, text } from "./types.js";
import type { ResolvedSearchProvider, WebSearchParams } from "./web-search.js";

/** OpenClaw's default result count. */
const DEFAULT_COUNT = 5;
/** OpenClaw's default request timeout for a search (DNS, request and body). */
const DEFAULT_TIMEOUT_SECONDS = 30;
/** OpenClaw's default: the same query within 15 minutes is answered from memory. */
const DEFAULT_CACHE_TTL_MINUTES = 15;
/** Distinct searches kept; an agent rarely repeats more than a handful, 100 bounds memory at ~1 MB. */
export const WEB_SEARCH_CACHE_MAX_ENTRIES = 100;
/** A search answer is a few KB (Brave: ~3 KB per result); past 1 MB something is wrong, stop reading. */
export const WEB_SEARCH_MAX_RESPONSE_BYTES = 1024 * 1024;
/** Longest title/snippet kept per result: enough for a search snippet, not a page dump. */
const MAX_FIELD_CHARS = 1000;

export interface SearchResult {
  title: string;
  url: string;
  snippet?: string;
  published?: string;
  siteName?: string;
}

type Success = {
  kind: "results";
  provider: string;
  query: string;
  count: number;
  tookMs?: number;
  results: SearchResult[];
};
type Failure = { kind: "error"; provider: string; error: "provider_error"; message: string };

const cache = new Map<string, { at: number; output: Success }>();

/** Empties the cache (tests). */
export function clearWebSearchCache(): void {
  cache.clear();
}

/** A provider failure the model may read: status and advice, never a body, URL query or key. */
class SearchFailure extends Error {}

export async function runWebSearch(
  resolved: ResolvedSearchProvider,
  settings: WebSearchSettings,
  params: WebSearchParams,
  signal: AbortSignal,
): Promise<ToolResult> {
  if ("problem" in resolved) return render(failure(resolved.provider, resolved.problem));
  const count = params.count ?? settings.maxResults ?? DEFAULT_COUNT;
  const ttlMs = (settings.cacheTtlMinutes ?? DEFAULT_CACHE_TTL_MINUTES) * 60_000;
  // The base URL is part of the key: two servers (or proxies) never share answers.
  const key = JSON.stringify([resolved.provider, resolved.baseUrl, { ...params, count }]);
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

/** GET a JSON document with the body read up to the size limit; redirects are refused (the key must not follow one). */
async function getJson(
  url: URL,
  headers: Record<string, string>,
  signal: AbortSignal,
  name: string,
): Promise<unknown> {
  const res = await fetch(url, {
    headers: { accept: "application/json", ...headers },
    signal,
    redirect: "error",
  });
  if (!res.ok) {
    await res.body?.cancel();
    throw new SearchFailure(statusAdvice(name, res.status));
  }
  const reader = res.body?.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const next = await reader?.read();
    if (!next || next.done) break;
    size += next.value.length;
    if (size > WEB_SEARCH_MAX_RESPONSE_BYTES) {
      await reader?.cancel();
      throw new SearchFailure(
        `${name} sent more than ${WEB_SEARCH_MAX_RESPONSE_BYTES} bytes; answer refused`,
      );
    }
    chunks.push(next.value);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    throw new SearchFailure(`${name} did not answer with JSON (is this the right base URL?)`);
  }
}

function statusAdvice(name: string, status: number): string {
  if (status === 401 || status === 403) {
    return name === "Brave"
      ? `Brave rejected the API key (HTTP ${status}): check BRAVE_API_KEY or plugins.entries.brave.config.webSearch.apiKey`
      : `${name} refused the search (HTTP ${status}): enable the json format in its settings.yml (search.formats)`;
  }
  if (status === 429) return `${name} rate limit reached (HTTP 429): try again later`;
  return `${name} answered HTTP ${status}`;
}

const clip = (s: unknown): string | undefined =>
  typeof s === "string" && s.trim() ? stripTags(s).slice(0, MAX_FIELD_CHARS).trim() : undefined;

/** Brave marks query words with <strong>; entities as in HTML. */
function stripTags(s: string): string {
  return s
    .replace(/<[^>]+>/g, "")
    .replace(/&quot;/g, '"')
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}

/** http(s) URLs only, canonicalized; anything else is dropped. */
function canonicalUrl(raw: unknown): string | undefined {
  if (typeof raw !== "string") return undefined;
  try {
    const url = new URL(raw);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/** ISO-date shaped only (Brave's `age` is "2 days ago": not a publication date). */
const isoPublished = (s: unknown) =>
  typeof s === "string" && /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(s) ? s : undefined;

const BRAVE_FRESHNESS = { day: "pd", week: "pw", month: "pm", year: "py" } as const;

async function searchBrave(
  p: Extract<ResolvedSearchProvider, { provider: "brave" }>,
  params: WebSearchParams,
  count: number,
  signal: AbortSignal,
): Promise<SearchResult[]> {
  if (p.mode !== "web") {
    throw new SearchFailure(
      `plugins.entries.brave.config.webSearch.mode "${p.mode}" is not supported here; remove it or set "web"`,
    );
  }
  const url = new URL(`${p.baseUrl.replace(/\/+$/, "")}/res/v1/web/search`);
  const q = url.searchParams;
  q.set("q", params.query);
  q.set("count", String(count));
  if (params.country) q.set("country", params.country.toUpperCase());
  const lang = params.search_lang ?? params.language;
  if (lang) q.set("search_lang", lang.toLowerCase());
  if (params.ui_lang) q.set("ui_lang", params.ui_lang);
  const freshness = braveFreshness(params);
  if (freshness) q.set("freshness", freshness);
  const body = (await getJson(url, { "x-subscription-token": p.apiKey }, signal, "Brave")) as {
    web?: { results?: Record<string, unknown>[] };
  };
  return (body.web?.results ?? []).slice(0, count).flatMap((r) => {
    const link = canonicalUrl(r.url);
    if (!link) return [];
    const profile = r.profile as { name?: unknown } | undefined;
    return [
      compact({
        title: clip(r.title) ?? link,
        url: link,
        snippet: clip(r.description),
        published: isoPublished(r.page_age),
        siteName: clip(profile?.name),
      }),
    ];
  });
}

function braveFreshness(params: WebSearchParams): string | undefined {
  if (params.date_before && !params.date_after) {
    throw new SearchFailure("date_before needs date_after too (Brave takes a range with both ends)");
  }
  if (params.date_after) {
    const end = params.date_before ?? new Date().toISOString().slice(0, 10);
    return `${params.date_after}to${end}`;
  }
  return params.freshness ? BRAVE_FRESHNESS[params.freshness] : undefined;
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

/** Drops undefined fields so the JSON the model reads stays short. */
function compact(r: {
  title: string;
  url: string;
  snippet?: string;
  published?: string;
  siteName?: string;
}): SearchResult {
  return Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)) as unknown as SearchResult;
}
