import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A fake Brave Search API on 127.0.0.1, both endpoints with the `X-Subscription-Token`
 * header, answering in Brave's own JSON:
 * - `GET /res/v1/web/search`: `type: "search"`, `web.results[]` with `title`, `url`,
 *   `description` holding <strong> marks, `page_age`, `profile`, `meta_url`;
 * - `GET /res/v1/llm/context` (LLM Context API): `grounding.generic[]` with `url`, `title`
 *   and extracted `snippets` (plain text, or a table serialized as JSON), and `sources`
 *   keyed by URL with `title`, `hostname` and `age` ([long date, ISO date, relative]),
 *   at most `maximum_number_of_urls` pages (default 20, 1-50);
 * and Brave's error body for a wrong key, a rate limit or an invalid parameter (422).
 */
export interface FakeSearchRequest {
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage["headers"];
}

export interface FakeBrave {
  url: string;
  key: string;
  requests: FakeSearchRequest[];
  /** The next answer: a status (Brave's error body), or a body of this many bytes (size-limit tests). */
  failNext(status: number): void;
  hugeNext(bytes: number): void;
  /** The next request gets no answer at all (timeout tests); the socket is closed by close(). */
  hangNext(): void;
  close(): Promise<void>;
}

export function braveResult(query: string, i: number) {
  return {
    type: "search_result",
    subtype: "generic",
    title: `${query} result ${i}`,
    url: `https://example.com/${encodeURIComponent(query)}/${i}`,
    is_source_local: false,
    is_source_both: false,
    description: `About <strong>${query}</strong>: page ${i} &amp; more.`,
    page_age: "2026-11-30T08:00:00",
    age: "2 days ago",
    profile: { name: `Example ${i}`, url: "https://example.com", long_name: "example.com", img: "" },
    language: "en",
    family_friendly: true,
    meta_url: { scheme: "https", netloc: "example.com", hostname: "example.com", path: `› ${i}` },
  };
}

export async function startFakeBrave(key = "BSA-fake-brave-key-0123456789"): Promise<FakeBrave> {
  const requests: FakeSearchRequest[] = [];
  let next: { status: number } | { huge: number } | { hang: true } | undefined;
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://fake");
    requests.push({ path: url.pathname, query: url.searchParams, headers: req.headers });
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    const scripted = next;
    next = undefined;
    const context = url.pathname === "/res/v1/llm/context";
    if (url.pathname !== "/res/v1/web/search" && !context)
      return json(404, { type: "ErrorResponse", error: { code: "NOT_FOUND", status: 404 } });
    if (
      req.headers["x-subscription-token"] !== key ||
      (scripted && "status" in scripted && scripted.status === 401)
    ) {
      return json(401, {
        type: "ErrorResponse",
        error: {
          id: "fake",
          status: 401,
          code: "SUBSCRIPTION_TOKEN_INVALID",
          detail: "The provided subscription token is invalid.",
          meta: { component: "authentication" },
        },
      });
    }
    if (scripted && "status" in scripted) {
      return json(scripted.status, {
        type: "ErrorResponse",
        error: {
          id: "fake",
          status: scripted.status,
          code: "RATE_LIMITED",
          detail: "Request rate limit exceeded for plan.",
          meta: {},
        },
      });
    }
    if (scripted && "hang" in scripted) return;
    if (scripted && "huge" in scripted) {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(`{"type":"search","padding":"${"x".repeat(scripted.huge)}"}`);
      return;
    }
    const q = url.searchParams.get("q") ?? "";
    if (context) {
      const invalid = contextParamProblem(url.searchParams);
      if (invalid) return json(422, validationError(invalid));
      return json(200, llmContextAnswer(q, Number(url.searchParams.get("maximum_number_of_urls") ?? 20)));
    }
    const count = Number(url.searchParams.get("count") ?? 20);
    json(200, {
      type: "search",
      query: {
        original: q,
        show_strict_warning: false,
        is_navigational: false,
        local_decision: "drop",
        country: "us",
        bad_results: false,
        should_fallback: false,
        postal_code: "",
        city: "",
        header_country: "",
        more_results_available: true,
        state: "",
      },
      mixed: { type: "mixed", main: [{ type: "web", index: 0, all: false }], top: [], side: [] },
      web: {
        type: "search",
        results: Array.from({ length: Math.min(count, 20) }, (_, i) => braveResult(q, i + 1)),
        family_friendly: true,
      },
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    key,
    requests,
    failNext: (status) => {
      next = { status };
    },
    hangNext: () => {
      next = { hang: true };
    },
    hugeNext: (bytes) => {
      next = { huge: bytes };
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Brave's validation: `q` 1-400 chars, page cap 1-50, freshness pd/pw/pm/py or a dated range. */
function contextParamProblem(query: URLSearchParams): string | undefined {
  const q = query.get("q") ?? "";
  if (q.length < 1 || q.length > 400) return "q";
  const urls = query.get("maximum_number_of_urls");
  if (urls !== null && !(Number.isInteger(Number(urls)) && Number(urls) >= 1 && Number(urls) <= 50))
    return "maximum_number_of_urls";
  const freshness = query.get("freshness");
  if (freshness !== null && !/^(pd|pw|pm|py|\d{4}-\d{2}-\d{2}to\d{4}-\d{2}-\d{2})$/.test(freshness))
    return "freshness";
  return undefined;
}

const validationError = (field: string) => ({
  type: "ErrorResponse",
  error: {
    id: "fake",
    status: 422,
    code: "VALIDATION",
    detail: "Unable to validate request parameter(s)",
    meta: { errors: [{ type: "value_error", loc: ["query", field], msg: `invalid ${field}` }] },
  },
});

export function llmContextAnswer(query: string, maxUrls: number) {
  const pages = Array.from({ length: Math.min(maxUrls, 20) }, (_, i) => ({
    url: `https://docs.example.org/${encodeURIComponent(query)}/${i + 1}`,
    title: `${query} — page ${i + 1}`,
    snippets: [
      `${query} is explained on page ${i + 1}. Vec<String> stays as written.`,
      JSON.stringify({
        table: [
          ["year", "value"],
          ["2026", String(i + 1)],
        ],
      }),
    ],
  }));
  return {
    grounding: { generic: pages, map: [] },
    sources: Object.fromEntries(
      pages.map((p, i) => [
        p.url,
        {
          title: p.title,
          hostname: "docs.example.org",
          age: i === 0 ? ["Monday, November 30, 2026", "2026-11-30", "2 days ago"] : null,
        },
      ]),
    ),
  };
}
