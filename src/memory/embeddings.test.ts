import { mkdirSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { tempDir } from "../../test/helpers/cli.js";
import { MemoryIndex, resolveEmbeddingProvider } from "./index.js";

/**
 * Fake embedding APIs on 127.0.0.1. Their "model": words of one concept share a
 * dimension (car/automobile/vehicle…), every other word hashes to its own, so a query
 * worded differently from the note still lands near it; texts embedded are counted.
 */
const CONCEPTS = [
  ["car", "automobile", "vehicle", "sedan"],
  ["doctor", "physician", "clinic"],
];
const DIMS = 64;
function fakeVector(text: string): number[] {
  const v = new Array(DIMS).fill(0);
  for (const word of text.toLowerCase().match(/[a-z]+/g) ?? []) {
    const concept = CONCEPTS.findIndex((c) => c.includes(word));
    const dim =
      concept >= 0 ? concept : 2 + ([...word].reduce((h, ch) => h * 31 + ch.charCodeAt(0), 7) % (DIMS - 2));
    v[dim] += 1;
  }
  return v;
}

interface Fake {
  url: string;
  texts: string[];
  keys: string[];
  close(): Promise<void>;
}
const servers: Server[] = [];
const indexes: MemoryIndex[] = [];
afterEach(async () => {
  for (const i of indexes.splice(0)) i.close();
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function body(req: IncomingMessage): Promise<Record<string, unknown>> {
  let data = "";
  for await (const chunk of req) data += chunk;
  return JSON.parse(data);
}

async function fakeApi(kind: "openai" | "gemini"): Promise<Fake> {
  const fake: Fake = { url: "", texts: [], keys: [], close: async () => undefined };
  const server = createServer(async (req, res) => {
    const json = await body(req);
    res.setHeader("content-type", "application/json");
    if (kind === "openai" && req.url === "/v1/embeddings") {
      fake.keys.push(String(req.headers.authorization));
      const input = json.input as string[];
      fake.texts.push(...input);
      res.end(JSON.stringify({ data: input.map((t, index) => ({ index, embedding: fakeVector(t) })) }));
    } else if (kind === "gemini" && req.url === "/v1beta/models/gemini-embedding-001:batchEmbedContents") {
      fake.keys.push(String(req.headers["x-goog-api-key"]));
      const texts = (json.requests as { content: { parts: { text: string }[] } }[]).map(
        (r) => r.content.parts[0]!.text,
      );
      fake.texts.push(...texts);
      res.end(JSON.stringify({ embeddings: texts.map((t) => ({ values: fakeVector(t) })) }));
    } else {
      res.statusCode = 404;
      res.end("{}");
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  servers.push(server);
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}

function workspace() {
  const root = tempDir();
  const dir = path.join(root, "ws");
  mkdirSync(path.join(dir, "memory"), { recursive: true });
  writeFileSync(path.join(dir, "memory", "garage.md"), "Sedan brakes replaced.\n");
  writeFileSync(path.join(dir, "memory", "health.md"), "Appointment with the physician next week.\n");
  writeFileSync(path.join(dir, "memory", "misc.md"), "Bought apples and pears.\n");
  return { dir, db: path.join(root, "memory.sqlite") };
}

describe("hybrid memory search", () => {
  it.each([
    ["openai", "OPENAI_API_KEY", "sk-fake-embed-1", "Bearer sk-fake-embed-1", (u: string) => `${u}/v1`],
    ["gemini", "GEMINI_API_KEY", "gm-fake-embed-2", "gm-fake-embed-2", (u: string) => `${u}/v1beta`],
  ] as const)(
    "finds a note worded differently through %s embeddings",
    async (kind, envName, key, sent, base) => {
      const fake = await fakeApi(kind);
      const provider = resolveEmbeddingProvider(
        { remote: { baseUrl: base(fake.url) } },
        { env: { [envName]: key }, providers: {} },
      );
      expect(provider?.id).toBe(kind);
      const { dir, db } = workspace();
      const index = MemoryIndex.open(dir, db, { embeddings: provider });
      indexes.push(index);
      expect(index.mode()).toBe("hybrid");
      // No keyword overlap: "automobile" is not in any note.
      const [hit] = await index.search("automobile");
      expect(hit?.path).toBe("memory/garage.md");
      expect(fake.keys.every((k) => k === sent)).toBe(true);
    },
  );

  it("embeds each chunk once, then only the chunks that changed (cached by content hash)", async () => {
    const fake = await fakeApi("openai");
    const provider = resolveEmbeddingProvider(
      { provider: "openai", remote: { baseUrl: `${fake.url}/v1`, apiKey: "sk-x" } },
      { env: {} },
    );
    const { dir, db } = workspace();
    const index = MemoryIndex.open(dir, db, { embeddings: provider });
    indexes.push(index);
    await index.search("vehicle");
    expect(fake.texts.filter((t) => t !== "vehicle")).toHaveLength(3);
    fake.texts.length = 0;
    await index.search("doctor visit");
    expect(fake.texts).toEqual(["doctor visit"]); // the query only
    writeFileSync(path.join(dir, "memory", "misc.md"), "Bought apples, pears and a car wax.\n");
    fake.texts.length = 0;
    const [hit] = await index.search("automobile wax");
    expect(fake.texts).toEqual(["Bought apples, pears and a car wax.\n".trimEnd(), "automobile wax"]);
    expect(hit?.path).toBe("memory/misc.md");
    // A fresh process (new index object on the same file) re-embeds nothing.
    index.close();
    indexes.pop();
    const again = MemoryIndex.open(dir, db, { embeddings: provider });
    indexes.push(again);
    fake.texts.length = 0;
    await again.search("physician");
    expect(fake.texts).toEqual(["physician"]);
  });

  it("uses keywords only when no key is set, and falls back to keywords when the API fails", async () => {
    expect(resolveEmbeddingProvider(undefined, { env: {}, providers: {} })).toBeUndefined();
    const { dir, db } = workspace();
    const reasons: string[] = [];
    const broken = resolveEmbeddingProvider(
      { provider: "openai", remote: { baseUrl: "http://127.0.0.1:9/v1", apiKey: "sk-secret-never-shown" } },
      { env: {} },
    );
    const index = MemoryIndex.open(dir, db, { embeddings: broken, onFallback: (w) => reasons.push(w) });
    indexes.push(index);
    const [hit] = await index.search("physician");
    expect(hit?.path).toBe("memory/health.md");
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).not.toContain("sk-secret-never-shown");
  });
});
