import { isIP } from "node:net";
import { z } from "zod";
import type { WebSearchSettings } from "../../config/schema/media.js";
import { findWebSearchEnv } from "../../providers/env-api-keys.js";
import { defineTool, text } from "./types.js";
import { isPrivateAddress } from "./web-address.js";

/**
 * `web_search` as the agent sees it: OpenClaw's name, parameters and result shape. This
 * module is small and loaded with the tool set; the provider clients and the result
 * cache (web-search-run.ts) are imported on the first search only.
 */

/** The providers openclaw-lite runs. OpenClaw's others are refused with a sentence saying so. */
export const WEB_SEARCH_PROVIDERS = ["brave", "searxng"] as const;
export type WebSearchProviderId = (typeof WEB_SEARCH_PROVIDERS)[number];

export const BRAVE_DEFAULT_BASE_URL = "https://api.search.brave.com";

/** `plugins.entries.<id>.config.webSearch` of the search providers, as configured. */
export type SearchPluginConfigs = Partial<Record<string, Record<string, unknown>>>;

export interface WebSearchConfig {
  settings?: WebSearchSettings;
  plugins?: SearchPluginConfigs;
}

export type ResolvedSearchProvider =
  | { provider: "brave"; apiKey: string; baseUrl: string; mode: string }
  | { provider: "searxng"; baseUrl: string; categories?: string; language?: string }
  /** Search is configured but cannot run: every call answers with this sentence. */
  | { provider: string; problem: string };

const str = (v: unknown): string | undefined => (typeof v === "string" && v.trim() ? v.trim() : undefined);

/**
 * Which provider `web_search` uses, per OpenClaw's rules: `tools.web.search.provider`
 * when set (never a silent fallback), else Brave when its key is configured, else
 * SearXNG when a base URL is. Undefined: search is off or nothing is configured, and
 * the tool is not offered. Key-free DuckDuckGo is never picked (see docs/tools.md).
 */
export function resolveSearchProvider(
  cfg: WebSearchConfig,
  env: NodeJS.ProcessEnv,
): ResolvedSearchProvider | undefined {
  if (cfg.settings?.enabled === false) return undefined;
  const brave = cfg.plugins?.brave ?? {};
  const searx = cfg.plugins?.searxng ?? {};
  const braveKey = str(brave.apiKey) ?? str(cfg.settings?.apiKey) ?? findWebSearchEnv("brave", env);
  const searxUrl = str(searx.baseUrl) ?? findWebSearchEnv("searxng", env);
  const wanted = cfg.settings?.provider?.trim().toLowerCase();
  const pick = wanted ?? (braveKey ? "brave" : searxUrl ? "searxng" : undefined);
  if (pick === undefined) return undefined;
  if (pick === "brave") {
    if (!braveKey) {
      return {
        provider: "brave",
        problem:
          "web_search provider brave has no API key: set BRAVE_API_KEY or plugins.entries.brave.config.webSearch.apiKey",
      };
    }
    const baseUrl = str(brave.baseUrl) ?? BRAVE_DEFAULT_BASE_URL;
    const problem = baseUrlProblem(baseUrl, "plugins.entries.brave.config.webSearch.baseUrl");
    if (problem) return { provider: "brave", problem };
    return { provider: "brave", apiKey: braveKey, baseUrl, mode: str(brave.mode) ?? "web" };
  }
  if (pick === "searxng") {
    if (!searxUrl) {
      return {
        provider: "searxng",
        problem:
          "web_search provider searxng has no server: set plugins.entries.searxng.config.webSearch.baseUrl or SEARXNG_BASE_URL",
      };
    }
    const problem = baseUrlProblem(searxUrl, "plugins.entries.searxng.config.webSearch.baseUrl");
    if (problem) return { provider: "searxng", problem };
    return {
      provider: "searxng",
      baseUrl: searxUrl,
      ...(str(searx.categories) ? { categories: str(searx.categories) } : {}),
      ...(str(searx.language) ? { language: str(searx.language) } : {}),
    };
  }
  if (pick === "duckduckgo") {
    return {
      provider: pick,
      problem:
        "web_search provider duckduckgo is not supported: DuckDuckGo has no search API and its terms forbid scraping its pages; use searxng (your own server) or brave",
    };
  }
  return {
    provider: pick,
    problem: `web_search provider ${pick} is not supported here; set tools.web.search.provider to brave or searxng`,
  };
}

/**
 * OpenClaw's rule for provider base URLs: https, or plain http only to a host on this
 * machine or the local network (a SearXNG in the same compose file), where no one on
 * the internet path can read the queries or the key.
 */
function baseUrlProblem(raw: string, key: string): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return `${key} is not a URL; write it like https://search.example.com`;
  }
  if (url.protocol === "https:") return undefined;
  if (url.protocol !== "http:") return `${key} must be an http(s) URL`;
  const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  const local =
    host === "localhost" ||
    (isIP(host) !== 0 && isPrivateAddress(host)) ||
    !host.includes(".") ||
    /\.(local|lan|internal|home\.arpa)$/.test(host);
  return local
    ? undefined
    : `${key} uses http:// to a public host; use https:// (queries and keys would travel in clear)`;
}

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "a date as YYYY-MM-DD");

export const webSearchParams = z.strictObject({
  query: z.string().trim().min(1).max(400).describe("Search query"),
  count: z.number().int().min(1).max(10).optional().describe("Results to return (1-10, default 5)"),
  country: z.string().length(2).optional().describe('2-letter ISO country code ("US", "DE")'),
  language: z.string().min(2).max(8).optional().describe('ISO 639-1 language code ("en", "de")'),
  search_lang: z.string().min(2).max(10).optional().describe("Search-language code (Brave only)"),
  ui_lang: z
    .string()
    .min(2)
    .max(10)
    .optional()
    .describe('UI language with region, "en-US" (Brave web mode only)'),
  freshness: z
    .enum(["day", "week", "month", "year"])
    .optional()
    .describe("Only results from the last day/week/month/year"),
  date_after: isoDate.optional().describe("Only results published after this date (YYYY-MM-DD)"),
  date_before: isoDate
    .optional()
    .describe("Only results published before this date (YYYY-MM-DD); needs date_after"),
  categories: z.string().max(200).optional().describe('SearXNG categories, comma-separated ("general,news")'),
});
export type WebSearchParams = z.infer<typeof webSearchParams>;

/** The tool; `env` is read per call for the key (tests pass their own). */
export function createWebSearchTool(cfg: WebSearchConfig, env: NodeJS.ProcessEnv = process.env) {
  return defineTool({
    name: "web_search",
    group: "web",
    description:
      "Search the web. Returns titles, URLs and snippets of matching pages (untrusted external content); open a result with web_fetch.",
    params: webSearchParams,
    async execute(params, ctx) {
      const resolved = resolveSearchProvider(cfg, env);
      if (!resolved) return text("web_search is not configured", true);
      const { runWebSearch } = await import("./web-search-run.js");
      return runWebSearch(resolved, cfg.settings ?? {}, params, ctx.signal);
    },
  });
}
