import { writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../../test/helpers/cli.js";
import { createLogger } from "../infra/logger.js";
import { hasFts5, openDatabase } from "../infra/sqlite.js";
import { SqliteSessionIndex } from "./index-db.js";
import { SHORT_QUERY_SCAN } from "./search-index.js";
import { INDEX_FILE, SessionStore } from "./store.js";

const log = createLogger("test");
const text = (t: string) => [{ type: "text", text: t }];

/** SQLite's FTS5 is compiled into Node from 22.16: older Nodes we support get a clear refusal instead. */
const FTS5 = hasFts5(openDatabase(":memory:"));

describe("transcript search and FTS5", () => {
  it("the session index has a search exactly when this Node's SQLite has FTS5 (else the method refuses)", () => {
    const index = new SqliteSessionIndex(path.join(tempDir(), INDEX_FILE));
    expect(index.search !== undefined).toBe(FTS5);
    index.close();
  });
});

describe.runIf(FTS5)("transcript search", () => {
  it("finds a message as soon as it is appended, newest first, user and assistant text only", async () => {
    const store = await SessionStore.open(tempDir(), log);
    const a = await store.ensure("agent:main:a");
    const b = await store.ensure("agent:main:b");
    await store
      .transcript(a.sessionId)
      .appendMessage({ role: "user", content: text("Where is the Zebra file?") });
    await store
      .transcript(a.sessionId)
      .appendMessage({ role: "toolResult", content: text("zebra.txt 12 bytes") });
    await store
      .transcript(b.sessionId)
      .appendMessage({ role: "assistant", content: text("The zebra is in /srv") });
    const found = store.searchTranscripts({ text: "zebra", limit: 10 })!;
    expect(found.hits.map((h) => [h.key, h.role])).toEqual([
      ["agent:main:b", "assistant"],
      ["agent:main:a", "user"],
    ]);
    expect(store.searchTranscripts({ text: "srv", limit: 10 })!.hits[0]?.text).toBe("The zebra is in /srv");
    // Chinese has no spaces between words: a substring of three characters or more is found.
    await store.transcript(b.sessionId).appendMessage({ role: "user", content: text("明天天气怎么样") });
    expect(store.searchTranscripts({ text: "天气怎", limit: 10 })!.hits.map((h) => h.key)).toEqual([
      "agent:main:b",
    ]);
    // Two characters: the bounded scan of the newest messages.
    const short = store.searchTranscripts({ text: "天气", limit: 10 })!;
    expect(short.hits.map((h) => h.key)).toEqual(["agent:main:b"]);
    expect(short.scanLimited).toBe(false);
    // Quotes and FTS operators are searched as text, not parsed as a query.
    expect(store.searchTranscripts({ text: '" OR zebra NEAR(', limit: 10 })!.hits).toEqual([]);
    store.close();
  });

  it("leaves archived sessions out unless asked, and forgets deleted and reset transcripts", async () => {
    const store = await SessionStore.open(tempDir(), log);
    const a = await store.ensure("agent:main:a");
    const b = await store.ensure("agent:main:b");
    for (const s of [a, b])
      await store.transcript(s.sessionId).appendMessage({ role: "user", content: text("quarterly report") });
    store.update("agent:main:a", { archivedAt: 1 });
    expect(store.searchTranscripts({ text: "quarterly", limit: 10 })!.hits.map((h) => h.key)).toEqual([
      "agent:main:b",
    ]);
    const both = store.searchTranscripts({ text: "quarterly", limit: 10, includeArchived: true })!;
    expect(both.hits.map((h) => [h.key, h.archived])).toEqual([
      ["agent:main:b", false],
      ["agent:main:a", true],
    ]);
    await store.delete("agent:main:a");
    await store.reset("agent:main:b");
    expect(store.searchTranscripts({ text: "quarterly", limit: 10, includeArchived: true })!.hits).toEqual(
      [],
    );
    store.close();
  });

  it("indexes transcripts written before the index on the first search, without losing a message appended meanwhile", async () => {
    const dir = tempDir();
    const index = new SqliteSessionIndex(path.join(dir, INDEX_FILE));
    const lines = (id: string, said: string) =>
      [
        { type: "session", version: 3, id, timestamp: "2026-01-01T00:00:00Z" },
        {
          type: "message",
          id: "m1",
          parentId: null,
          timestamp: "2026-01-01T00:00:01Z",
          message: { role: "user", content: text(said) },
        },
      ]
        .map((l) => JSON.stringify(l))
        .join("\n");
    for (let i = 0; i < 450; i++) {
      writeFileSync(path.join(dir, `old-${i}.jsonl`), `${lines(`old-${i}`, `legacy note number ${i}`)}\n`);
    }
    index.put(
      Array.from({ length: 450 }, (_, i) => ({
        key: `agent:main:old${i}`,
        entry: { sessionId: `old-${i}`, updatedAt: i },
      })),
    );
    index.close();
    const store = await SessionStore.open(dir, log);
    const first = store.searchTranscripts({ text: "legacy note", limit: 5 })!;
    expect(first.indexing).toBe(true);
    // Appended while the backfill runs: in the file before it is read, or indexed live after.
    await store
      .transcript("old-449")
      .appendMessage({ role: "assistant", content: text("late legacy note answer") });
    await store.searchReady();
    const done = store.searchTranscripts({ text: "legacy note", limit: 1000 })!;
    expect(done.indexing).toBe(false);
    expect(done.hits).toHaveLength(451);
    expect(done.hits.filter((h) => h.text === "late legacy note answer")).toHaveLength(1);
    store.close();
  });

  it("stays an index lookup at 100,000 sessions: the newest matches, the short scan says it was bounded", async () => {
    const dir = tempDir();
    const index = new SqliteSessionIndex(path.join(dir, INDEX_FILE));
    const N = 100_000;
    const BATCH = 10_000;
    for (let at = 0; at < N; at += BATCH) {
      index.put(
        Array.from({ length: BATCH }, (_, j) => ({
          key: `agent:main:discord:channel:${at + j}`,
          entry: { sessionId: `s${at + j}`, updatedAt: at + j },
        })),
      );
    }
    const search = index.search!;
    for (let at = 0; at < N; at += BATCH) {
      search.addMany(
        Array.from({ length: BATCH }, (_, j) => ({
          sessionId: `s${at + j}`,
          messages: [
            {
              entryId: "m",
              role: "user",
              timestamp: "t",
              text: `ticket ${at + j} ${(at + j) % 1000 === 7 ? "needle" : "hay"}`,
            },
          ],
        })),
        true,
      );
    }
    const found = search.query({ text: "needle", limit: 25 });
    expect(found.hits).toHaveLength(25);
    expect(found.hits[0]?.key).toBe("agent:main:discord:channel:99007");
    expect(found.hits.every((h) => h.text.endsWith("needle"))).toBe(true);
    expect(search.query({ text: "ticket 4242 hay", limit: 5 }).hits.map((h) => h.sessionId)).toEqual([
      "s4242",
    ]);
    const short = search.query({ text: "ne", limit: 1000 });
    // Only the newest SHORT_QUERY_SCAN messages are looked at, and the answer says so.
    expect(short.scanLimited).toBe(true);
    expect(short.hits).toHaveLength(SHORT_QUERY_SCAN / 1000);
    // Sorting and archive at the same scale: deep pages by cursor, counts without a scan.
    const page = index.page({ limit: 50, sortBy: "updatedAt", sortDir: "asc", archived: "active" });
    expect(page.totalCount).toBe(N);
    expect(page.sessions[0]?.key).toBe("agent:main:discord:channel:0");
    index.close();
  }, 120_000);
});
