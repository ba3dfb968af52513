/**
 * The Brave Search API in its two modes (`plugins.entries.brave.config.webSearch.mode`):
 * `web` asks `/res/v1/web/search` for titles, URLs and snippets; `llm-context` asks
 * `/res/v1/llm/context` for the text Brave extracted from each page (OpenClaw's
 * "grounded source entries"). Loaded with web-search-run.ts, on the first search.
 */

import type { ResolvedSearchProvider, WebSearchParams } from "./web-search.js";
import {
  canonicalUrl,
  clip,
  compact,
  getJson,
  isoPublished,
  SearchFailure,
  type SearchResult,
} from "./web-search-http.js";

/** The modes OpenClaw's Brave provider has; anything else is refused with a sentence. */
export const BRAVE_MODES = ["web", "llm-context"] as const;
export type BraveMode = (typeof BRAVE_MODES)[number];

/**
 * Longest extracted chunk kept. Brave caps a page at 8192 tokens (~32 KB) and a whole
 * answer at 32768; a chunk is a paragraph, a table or a code block, rarely past a few
 * KB. 8000 characters keeps any real chunk whole and one runaway chunk from filling
 * the model's context.
 */
export const BRAVE_CONTEXT_SNIPPET_MAX_CHARS = 8000;

const BRAVE_FRESHNESS = { day: "pd", week: "pw", month: "pm", year: "py" } as const;

type BraveProvider = Extract<ResolvedSearchProvider, { provider: "brave" }>;

export async function searchBrave(
  p: BraveProvider,
  params: WebSearchParams,
  count: number,
  signal: AbortSignal,
): Promise<SearchResult[]> {
  if (p.mode === "llm-context") return searchBraveContext(p, params, count, signal);
  if (p.mode !== "web") {
    throw new SearchFailure(
      `plugins.entries.brave.config.webSearch.mode "${p.mode}" is not a Brave mode; set "web" or "llm-context"`,
    );
  }
  const url = braveUrl(p, "/res/v1/web/search");
  const q = url.searchParams;
  q.set("q", params.query);
  q.set("count", String(count));
  setFilters(q, params, "web");
  if (params.ui_lang) q.set("ui_lang", params.ui_lang);
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
        snippets: undefined,
        published: isoPublished(r.page_age),
        siteName: clip(profile?.name),
      }),
    ];
  });
}

/**
 * LLM Context mode. Brave's `count` there is how many search results it reads before
 * choosing (default 20), not how many it returns, so the tool's `count` is sent as
 * `maximum_number_of_urls`: the number of pages in the answer.
 */
async function searchBraveContext(
  p: BraveProvider,
  params: WebSearchParams,
  count: number,
  signal: AbortSignal,
): Promise<SearchResult[]> {
  if (params.ui_lang) {
    throw new SearchFailure(
      'ui_lang is not supported by Brave\'s llm-context mode; leave it out (or set plugins.entries.brave.config.webSearch.mode to "web")',
    );
  }
  const url = braveUrl(p, "/res/v1/llm/context");
  const q = url.searchParams;
  q.set("q", params.query);
  setFilters(q, params, "llm-context");
  q.set("maximum_number_of_urls", String(count));
  const body = (await getJson(url, { "x-subscription-token": p.apiKey }, signal, "Brave")) as {
    grounding?: { generic?: unknown };
    sources?: unknown;
  };
  const generic = Array.isArray(body.grounding?.generic) ? (body.grounding.generic as unknown[]) : [];
  const sources = isRecord(body.sources) ? body.sources : {};
  return generic.slice(0, count).flatMap((entry) => {
    if (!isRecord(entry)) return [];
    const link = canonicalUrl(entry.url);
    if (!link) return [];
    // Brave keys `sources` by the URL exactly as it appears in `grounding`.
    const source = isRecord(sources[entry.url as string])
      ? (sources[entry.url as string] as Record<string, unknown>)
      : {};
    const snippets = (Array.isArray(entry.snippets) ? entry.snippets : []).flatMap((s) =>
      typeof s === "string" && s.trim() ? [s.slice(0, BRAVE_CONTEXT_SNIPPET_MAX_CHARS).trim()] : [],
    );
    return [
      compact({
        title: clip(entry.title) ?? clip(source.title) ?? link,
        url: link,
        snippet: undefined,
        snippets,
        // `age` is [long date, ISO date, "392 days ago"]: only the ISO one is a publication date.
        published: Array.isArray(source.age) ? source.age.map(isoPublished).find(Boolean) : undefined,
        siteName: clip(source.hostname) ?? new URL(link).hostname,
      }),
    ];
  });
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

function braveUrl(p: BraveProvider, path: string): URL {
  return new URL(`${p.baseUrl.replace(/\/+$/, "")}${path}`);
}

/** country, search language and the time filter, as both endpoints take them. */
function setFilters(q: URLSearchParams, params: WebSearchParams, mode: BraveMode): void {
  if (params.country) q.set("country", params.country.toUpperCase());
  const lang = params.search_lang ?? params.language;
  if (lang) q.set("search_lang", lang.toLowerCase());
  const freshness = braveFreshness(params, mode);
  if (freshness) q.set("freshness", freshness);
}

/**
 * Brave's custom range is `YYYY-MM-DDtoYYYY-MM-DD`, both ends required (OpenClaw's
 * rules): date_before alone is refused; date_after alone runs to today, and in
 * llm-context mode a date_after in the future is refused (it is an empty range there).
 */
function braveFreshness(params: WebSearchParams, mode: BraveMode): string | undefined {
  if (params.date_before && !params.date_after) {
    throw new SearchFailure("date_before needs date_after too (Brave takes a range with both ends)");
  }
  if (params.date_after) {
    const today = new Date().toISOString().slice(0, 10);
    if (params.date_before && params.date_after > params.date_before) {
      throw new SearchFailure("date_after must not be later than date_before");
    }
    if (mode === "llm-context" && !params.date_before && params.date_after > today) {
      throw new SearchFailure("date_after cannot be in the future in Brave's llm-context mode");
    }
    return `${params.date_after}to${params.date_before ?? today}`;
  }
  return params.freshness ? BRAVE_FRESHNESS[params.freshness] : undefined;
}
