import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { FakeSearchRequest } from "./brave.js";

/**
 * A fake SearXNG on 127.0.0.1: `GET /search?q=…&format=json`, answering in SearXNG's
 * JSON (`query`, `number_of_results`, `results[]` with `url`, `title`, `content`,
 * `engine`, `publishedDate`…). Without `format=json` it answers 403, as SearXNG does
 * when the json format is not enabled. `emptyCategories` answer no results (the
 * category fallback test).
 */
export interface FakeSearxng {
  url: string;
  requests: FakeSearchRequest[];
  close(): Promise<void>;
}

export async function startFakeSearxng(opts: { emptyCategories?: string[] } = {}): Promise<FakeSearxng> {
  const requests: FakeSearchRequest[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://fake");
    requests.push({ path: url.pathname, query: url.searchParams, headers: req.headers });
    if (url.pathname !== "/search" || url.searchParams.get("format") !== "json") {
      res.writeHead(403, { "content-type": "text/html" });
      res.end("<html><body>403 Forbidden</body></html>");
      return;
    }
    const q = url.searchParams.get("q") ?? "";
    const category = url.searchParams.get("categories") ?? "general";
    const empty = opts.emptyCategories?.includes(category) ?? false;
    const results = empty
      ? []
      : Array.from({ length: 12 }, (_, i) => ({
          url: `https://searx.example.org/${encodeURIComponent(q)}/${i + 1}`,
          title: `${q} (searx ${i + 1})`,
          content: `Aggregated snippet ${i + 1} for ${q}`,
          thumbnail: "",
          engine: "duckduckgo",
          template: "default.html",
          parsed_url: ["https", "searx.example.org", `/${i + 1}`, "", "", ""],
          img_src: "",
          priority: "",
          engines: ["duckduckgo", "bing"],
          positions: [i + 1],
          score: 2 / (i + 1),
          category,
          publishedDate: i === 0 ? "2026-11-29T10:00:00" : null,
        }));
    res.writeHead(200, { "content-type": "application/json" });
    res.end(
      JSON.stringify({
        query: q,
        number_of_results: results.length,
        results,
        answers: [],
        corrections: [],
        infoboxes: [],
        suggestions: [],
        unresponsive_engines: [],
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
