/**
 * HTTP and field helpers shared by the web_search providers (web-search-brave.ts, the
 * SearXNG client in web-search-run.ts): one bounded JSON GET that never follows a
 * redirect, and the clean-up every result field gets. Loaded with them, on the first search.
 */

/** A search answer is a few KB (Brave: ~3 KB per result, LLM Context ~8k tokens ≈ 32 KB); past 1 MB something is wrong, stop reading. */
export const WEB_SEARCH_MAX_RESPONSE_BYTES = 1024 * 1024;
/** Longest title/snippet kept per result: enough for a search snippet, not a page dump. */
const MAX_FIELD_CHARS = 1000;

export interface SearchResult {
  title: string;
  url: string;
  snippet?: string;
  /** Brave LLM Context: the text chunks extracted from the page, in Brave's order. */
  snippets?: string[];
  published?: string;
  siteName?: string;
}

/** A provider failure the model may read: status and advice, never a body, URL query or key. */
export class SearchFailure extends Error {}

/** GET a JSON document with the body read up to the size limit; redirects are refused (the key must not follow one). */
export async function getJson(
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

export const clip = (s: unknown): string | undefined =>
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
export function canonicalUrl(raw: unknown): string | undefined {
  if (typeof raw !== "string") return undefined;
  try {
    const url = new URL(raw);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/** ISO-date shaped only (Brave's `age` is "2 days ago": not a publication date). */
export const isoPublished = (s: unknown) =>
  typeof s === "string" && /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(s) ? s : undefined;

/** Drops undefined fields so the JSON the model reads stays short. */
export function compact(r: { [K in keyof SearchResult]: SearchResult[K] | undefined }): SearchResult {
  return Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)) as unknown as SearchResult;
}
