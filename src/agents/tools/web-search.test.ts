import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { type FakeBrave, startFakeBrave } from "../../../test/fakes/search/brave.js";
import { type FakeSearxng, startFakeSearxng } from "../../../test/fakes/search/searxng.js";
import { type AgentTool, createToolSet, runTool, type ToolContext } from "./index.js";
import { resolveSearchProvider, type WebSearchConfig } from "./web-search.js";
import {
  clearWebSearchCache,
  WEB_SEARCH_CACHE_MAX_ENTRIES,
  WEB_SEARCH_MAX_RESPONSE_BYTES,
} from "./web-search-run.js";

let brave: FakeBrave;
let searx: FakeSearxng;
const ctx = (): ToolContext => ({
  workspace: "/nonexistent",
  agentId: "main",
  sessionKey: "agent:main:main",
  signal: new AbortController().signal,
});

function toolsFor(search: WebSearchConfig["settings"], plugins: WebSearchConfig["plugins"], env = {}) {
  return createToolSet({ web: { search }, searchPlugins: plugins }, [], env);
}
async function search(tools: AgentTool[], args: Record<string, unknown>) {
  const result = await runTool(tools, "web_search", args, ctx());
  return {
    isError: result.isError === true,
    text: result.content[0]!.text,
    json: JSON.parse(result.content[0]!.text),
  };
}
const braveTools = (settings = {}) =>
  toolsFor({ provider: "brave", ...settings }, { brave: { apiKey: brave.key, baseUrl: brave.url } });

beforeAll(async () => {
  brave = await startFakeBrave();
  searx = await startFakeSearxng({ emptyCategories: ["science"] });
});
afterAll(async () => {
  await brave.close();
  await searx.close();
});
afterEach(() => {
  clearWebSearchCache();
  vi.useRealTimers();
});

describe("choosing the provider", () => {
  it("is offered only once a provider is configured, as OpenClaw auto-detects (Brave, then SearXNG)", () => {
    const names = (tools: AgentTool[]) => tools.map((t) => t.name);
    expect(names(toolsFor(undefined, {}))).not.toContain("web_search");
    expect(names(toolsFor(undefined, {}, { BRAVE_API_KEY: "from-env-123" }))).toContain("web_search");
    expect(names(toolsFor({ enabled: false }, {}, { BRAVE_API_KEY: "from-env-123" }))).not.toContain(
      "web_search",
    );
    const env = { BRAVE_API_KEY: "k-123456", SEARXNG_BASE_URL: "http://127.0.0.1:8888" };
    expect(resolveSearchProvider({}, env)).toMatchObject({ provider: "brave", apiKey: "k-123456" });
    expect(resolveSearchProvider({}, { SEARXNG_BASE_URL: "http://localhost:8888" })).toMatchObject({
      provider: "searxng",
    });
    // An explicit choice never falls back to another provider.
    expect(
      resolveSearchProvider({ settings: { provider: "searxng" } }, { BRAVE_API_KEY: "k-123456" }),
    ).toMatchObject({
      problem: expect.stringContaining("SEARXNG_BASE_URL"),
    });
  });

  it("refuses DuckDuckGo, unknown providers and clear-text http to a public host, in a sentence", async () => {
    const ddg = await search(toolsFor({ provider: "duckduckgo" }, {}), { query: "x" });
    expect(ddg).toMatchObject({ isError: true, json: { kind: "error", provider: "duckduckgo" } });
    expect(ddg.json.message).toContain("terms");
    expect(resolveSearchProvider({ settings: { provider: "tavily" } }, {})).toMatchObject({
      problem: expect.stringContaining("brave or searxng"),
    });
    const publicHttp = resolveSearchProvider(
      { plugins: { searxng: { baseUrl: "http://search.example.com" } } },
      {},
    );
    expect(publicHttp).toMatchObject({ problem: expect.stringContaining("https://") });
    for (const ok of [
      "http://searxng:8080",
      "http://192.168.1.5",
      "http://[::1]:8888",
      "https://search.example.com",
    ]) {
      expect(resolveSearchProvider({ plugins: { searxng: { baseUrl: ok } } }, {})).not.toHaveProperty(
        "problem",
      );
    }
  });
});

describe("Brave Search API", () => {
  it("sends the key as X-Subscription-Token and returns OpenClaw's result shape", async () => {
    const r = await search(braveTools(), {
      query: "openclaw plugin sdk",
      count: 3,
      country: "de",
      language: "de",
      freshness: "week",
    });
    expect(r.isError).toBe(false);
    const req = brave.requests.at(-1)!;
    expect(req.headers["x-subscription-token"]).toBe(brave.key);
    expect(Object.fromEntries(req.query)).toEqual({
      q: "openclaw plugin sdk",
      count: "3",
      country: "DE",
      search_lang: "de",
      freshness: "pw",
    });
    expect(r.json).toMatchObject({
      kind: "results",
      provider: "brave",
      query: "openclaw plugin sdk",
      count: 3,
      externalContent: { untrusted: true, source: "web_search", wrapped: true, provider: "brave" },
    });
    const first = r.json.results[0];
    expect(first.url).toBe("https://example.com/openclaw%20plugin%20sdk/1");
    expect(first.published).toBe("2026-11-30T08:00:00");
    // Brave's <strong> marks and entities are gone; the prose is wrapped as untrusted content.
    expect(first.snippet).toMatch(
      /^<<<EXTERNAL_UNTRUSTED_CONTENT id="[a-f0-9]{16}">>>\nSource: Web Search\n---\nAbout openclaw plugin sdk: page 1 & more\.\n<<<END_EXTERNAL_UNTRUSTED_CONTENT id="[a-f0-9]{16}">>>$/,
    );
    expect(r.text).not.toContain(brave.key);
  });

  it("takes the result count from tools.web.search.maxResults, and a date range as Brave's custom freshness", async () => {
    const r = await search(braveTools({ maxResults: 2 }), {
      query: "climate",
      date_after: "2024-01-01",
      date_before: "2024-06-30",
    });
    expect(r.json.count).toBe(2);
    expect(brave.requests.at(-1)!.query.get("freshness")).toBe("2024-01-01to2024-06-30");
    const bad = await search(braveTools(), { query: "climate", date_before: "2024-06-30" });
    expect(bad).toMatchObject({
      isError: true,
      json: { kind: "error", message: expect.stringContaining("date_after") },
    });
  });

  it("answers a repeated query from the cache until the TTL passes; TTL 0 turns the cache off", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const tools = braveTools({ cacheTtlMinutes: 1 });
    const before = brave.requests.length;
    await search(tools, { query: "cached once" });
    const again = await search(tools, { query: "cached once" });
    expect(again.json.cached).toBe(true);
    expect(brave.requests.length - before).toBe(1);
    vi.advanceTimersByTime(61_000);
    expect((await search(tools, { query: "cached once" })).json.cached).toBeUndefined();
    expect(brave.requests.length - before).toBe(2);
    const off = braveTools({ cacheTtlMinutes: 0 });
    await search(off, { query: "never cached" });
    expect((await search(off, { query: "never cached" })).json.cached).toBeUndefined();
    expect(brave.requests.length - before).toBe(4);
  });

  it("keeps at most WEB_SEARCH_CACHE_MAX_ENTRIES searches (the oldest goes first)", async () => {
    const tools = braveTools();
    for (let i = 0; i <= WEB_SEARCH_CACHE_MAX_ENTRIES; i++) await search(tools, { query: `q${i}` });
    const before = brave.requests.length;
    expect((await search(tools, { query: `q${WEB_SEARCH_CACHE_MAX_ENTRIES}` })).json.cached).toBe(true);
    expect((await search(tools, { query: "q0" })).json.cached).toBeUndefined();
    expect(brave.requests.length - before).toBe(1);
  });

  it("reports a rejected key, a rate limit, an oversized answer and a timeout as provider errors", async () => {
    const wrongKey = toolsFor(
      { provider: "brave" },
      { brave: { apiKey: "BSA-wrong-key-987654", baseUrl: brave.url } },
    );
    const rejected = await search(wrongKey, { query: "x" });
    expect(rejected.json).toMatchObject({ kind: "error", provider: "brave", error: "provider_error" });
    expect(rejected.json.message).toContain("HTTP 401");
    expect(rejected.text).not.toContain("BSA-wrong-key-987654");
    brave.failNext(429);
    expect((await search(braveTools(), { query: "limited" })).json.message).toContain("rate limit");
    brave.hugeNext(WEB_SEARCH_MAX_RESPONSE_BYTES + 10);
    expect((await search(braveTools(), { query: "huge" })).json.message).toContain(
      `more than ${WEB_SEARCH_MAX_RESPONSE_BYTES} bytes`,
    );
    brave.hangNext();
    const slow = await search(braveTools({ timeoutSeconds: 1 }), { query: "slow" });
    expect(slow.json.message).toContain("did not answer in time");
  });
});

describe("Brave LLM Context mode", () => {
  const contextTools = (settings = {}) =>
    toolsFor(
      { provider: "brave", ...settings },
      { brave: { apiKey: brave.key, baseUrl: brave.url, mode: "llm-context" } },
    );

  it("asks /res/v1/llm/context and returns grounded source entries, each chunk wrapped as untrusted", async () => {
    const r = await search(contextTools(), {
      query: "rust borrow checker",
      count: 2,
      country: "gb",
      search_lang: "EN",
      freshness: "month",
    });
    expect(r.isError).toBe(false);
    const req = brave.requests.at(-1)!;
    expect(req.path).toBe("/res/v1/llm/context");
    expect(req.headers["x-subscription-token"]).toBe(brave.key);
    expect(Object.fromEntries(req.query)).toEqual({
      q: "rust borrow checker",
      country: "GB",
      search_lang: "en",
      freshness: "pm",
      maximum_number_of_urls: "2",
    });
    expect(r.json).toMatchObject({
      kind: "results",
      provider: "brave",
      mode: "llm-context",
      count: 2,
      externalContent: { untrusted: true, source: "web_search", wrapped: true, provider: "brave" },
    });
    const [first, second] = r.json.results;
    expect(first.url).toBe("https://docs.example.org/rust%20borrow%20checker/1");
    // Only the ISO member of Brave's `age` is a publication date; no age, no date.
    expect(first.published).toBe("2026-11-30");
    expect(second.published).toBeUndefined();
    expect(first.snippet).toBeUndefined();
    expect(first.snippets).toHaveLength(2);
    const unwrap = (s: string) =>
      /^<<<EXTERNAL_UNTRUSTED_CONTENT id="[a-f0-9]{16}">>>\nSource: Web Search\n---\n([\s\S]*)\n<<<END_EXTERNAL_UNTRUSTED_CONTENT id="[a-f0-9]{16}">>>$/.exec(
        s,
      )?.[1];
    expect(unwrap(first.siteName)).toBe("docs.example.org");
    // Page text is kept as written (no tag stripping: code and tables survive).
    expect(unwrap(first.snippets[0])).toBe(
      "rust borrow checker is explained on page 1. Vec<String> stays as written.",
    );
    expect(JSON.parse(unwrap(first.snippets[1])!)).toEqual({
      table: [
        ["year", "value"],
        ["2026", "1"],
      ],
    });
    expect(r.text).not.toContain(brave.key);
  });

  it("applies OpenClaw's rules: no ui_lang, date_before needs date_after, no future date_after", async () => {
    const before = brave.requests.length;
    const refused = async (args: Record<string, unknown>, words: string) => {
      const r = await search(contextTools(), { query: "rules", ...args });
      expect(r).toMatchObject({ isError: true, json: { kind: "error", provider: "brave" } });
      expect(r.json.message).toContain(words);
    };
    await refused({ ui_lang: "en-US" }, "ui_lang is not supported by Brave's llm-context mode");
    await refused({ date_before: "2026-06-30" }, "date_before needs date_after");
    await refused({ date_after: "2999-01-01" }, "date_after cannot be in the future");
    await refused({ date_after: "2026-06-30", date_before: "2026-01-01" }, "not be later than date_before");
    // Refused before any request: Brave is not billed for a query that cannot work.
    expect(brave.requests.length).toBe(before);
    const ranged = await search(contextTools(), {
      query: "rules",
      date_after: "2026-01-01",
      date_before: "2026-06-30",
    });
    expect(ranged.isError).toBe(false);
    expect(brave.requests.at(-1)!.query.get("freshness")).toBe("2026-01-01to2026-06-30");
    // date_after alone runs to today, as Brave needs both ends.
    vi.useFakeTimers({ toFake: ["Date"], now: new Date("2026-12-02T10:00:00Z") });
    await search(contextTools(), { query: "rules", date_after: "2026-11-01" });
    expect(brave.requests.at(-1)!.query.get("freshness")).toBe("2026-11-01to2026-12-02");
  });

  it("keys the cache by mode: a web answer is never served for an LLM Context search", async () => {
    const before = brave.requests.length;
    const web = await search(braveTools(), { query: "same words" });
    const ctxAnswer = await search(contextTools(), { query: "same words" });
    expect(web.json.mode).toBeUndefined();
    expect(ctxAnswer.json).toMatchObject({ mode: "llm-context" });
    expect(ctxAnswer.json.cached).toBeUndefined();
    expect((await search(contextTools(), { query: "same words" })).json.cached).toBe(true);
    expect(brave.requests.slice(before).map((r) => r.path)).toEqual([
      "/res/v1/web/search",
      "/res/v1/llm/context",
    ]);
  });

  it("has the web mode's limits: rejected key, oversized answer, timeout; an unknown mode is named", async () => {
    const wrongKey = toolsFor(
      { provider: "brave" },
      { brave: { apiKey: "BSA-wrong-key-987654", baseUrl: brave.url, mode: "llm-context" } },
    );
    const rejected = await search(wrongKey, { query: "x" });
    expect(rejected.json.message).toContain("HTTP 401");
    expect(rejected.text).not.toContain("BSA-wrong-key-987654");
    brave.hugeNext(WEB_SEARCH_MAX_RESPONSE_BYTES + 10);
    expect((await search(contextTools(), { query: "huge" })).json.message).toContain(
      `more than ${WEB_SEARCH_MAX_RESPONSE_BYTES} bytes`,
    );
    brave.hangNext();
    const slow = await search(contextTools({ timeoutSeconds: 1 }), { query: "slow" });
    expect(slow.json.message).toContain("did not answer in time");
    const odd = toolsFor(
      { provider: "brave" },
      { brave: { apiKey: brave.key, baseUrl: brave.url, mode: "news" } },
    );
    expect((await search(odd, { query: "x" })).json.message).toContain('"web" or "llm-context"');
  });
});

describe("SearXNG", () => {
  const searxTools = (extra = {}) =>
    toolsFor({ provider: "searxng" }, { searxng: { baseUrl: searx.url, ...extra } });

  it("asks the JSON API and maps its results", async () => {
    const r = await search(searxTools({ language: "fr" }), { query: "self hosted search", count: 4 });
    const req = searx.requests.at(-1)!;
    expect(Object.fromEntries(req.query)).toEqual({
      q: "self hosted search",
      format: "json",
      categories: "general",
      language: "fr",
    });
    expect(r.json).toMatchObject({ kind: "results", provider: "searxng", count: 4 });
    expect(r.json.results[0]).toMatchObject({
      url: "https://searx.example.org/self%20hosted%20search/1",
      published: "2026-11-29T10:00:00",
    });
    expect(r.json.results[0].snippet).toContain("Aggregated snippet 1 for self hosted search");
  });

  it("retries an empty narrow category once as general (OpenClaw's fallback)", async () => {
    const before = searx.requests.length;
    const r = await search(searxTools(), { query: "quarks", categories: "science" });
    expect(searx.requests.slice(before).map((q) => q.query.get("categories"))).toEqual([
      "science",
      "general",
    ]);
    expect(r.json.count).toBe(5);
  });

  it("says how to fix a server without the json format", async () => {
    const r = await search(
      toolsFor({ provider: "searxng" }, { searxng: { baseUrl: `${searx.url}/not-searx` } }),
      { query: "x" },
    );
    expect(r.json.message).toContain("search.formats");
  });
});
