import { appendFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../../test/helpers/cli.js";
import { createLogger } from "../infra/logger.js";
import { openDatabase } from "../infra/sqlite.js";
import { INDEX_FILE, type SessionEntry, SessionStore } from "./store.js";

const log = createLogger("test");

/** The index as another process sees it: every committed row, read from the file. */
function readIndex(dir: string): Record<string, SessionEntry> {
  const db = openDatabase(path.join(dir, INDEX_FILE), { readOnly: true });
  try {
    const rows = db.prepare("SELECT key, entry FROM sessions").all() as { key: string; entry: string }[];
    return Object.fromEntries(rows.map((r) => [r.key, JSON.parse(r.entry) as SessionEntry]));
  } finally {
    db.close();
  }
}
const KEY = "agent:main:discord:channel:123";

async function openStore(dir = tempDir()) {
  return { dir, store: await SessionStore.open(dir, log, { cwd: "/work" }) };
}

describe("SessionStore", () => {
  it("creates a session with a transcript header and indexes it in SQLite (no sessions.json)", async () => {
    const { dir, store } = await openStore();
    const entry = await store.ensure(KEY, { channel: "discord" });
    expect(readIndex(dir)[KEY]).toMatchObject({ sessionId: entry.sessionId, channel: "discord" });
    expect(existsSync(path.join(dir, "sessions.json"))).toBe(false);
    const [header] = readFileSync(path.join(dir, `${entry.sessionId}.jsonl`), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(header).toMatchObject({
      type: "session",
      version: 3,
      id: entry.sessionId,
      cwd: "/work",
      sessionKey: KEY,
    });
    expect(await store.ensure(KEY)).toBe(entry);
  });

  it("appends messages chained by parentId, and reads them back after reopening", async () => {
    const { dir, store } = await openStore();
    const { sessionId } = await store.ensure(KEY);
    const t = store.transcript(sessionId);
    const first = await t.appendMessage(
      { role: "user", content: [{ type: "text", text: "hi" }] },
      { durable: true },
    );
    const second = await t.appendMessage({
      role: "assistant",
      content: [{ type: "text", text: "hello" }],
      model: "fake/m",
    });
    expect(first.parentId).toBeNull();
    expect(second.parentId).toBe(first.id);
    const { store: again } = await openStore(dir);
    const messages = await again.transcript(again.get(KEY)!.sessionId).messages();
    expect(messages.map((m) => m.message?.role)).toEqual(["user", "assistant"]);
    const third = await again.transcript(sessionId).appendMessage({ role: "user", content: [] });
    expect(third.parentId).toBe(second.id);
  });

  it("repairs a torn last line left by a crash, keeping every complete line", async () => {
    const { dir, store } = await openStore();
    const { sessionId } = await store.ensure(KEY);
    await store
      .transcript(sessionId)
      .appendMessage({ role: "user", content: [{ type: "text", text: "kept" }] }, { durable: true });
    const file = path.join(dir, `${sessionId}.jsonl`);
    appendFileSync(file, '{"type":"message","id":"x","message":{"role":"assis');
    const { store: reopened } = await openStore(dir);
    const t = reopened.transcript(sessionId);
    expect((await t.messages()).map((m) => m.message?.content)).toEqual([[{ type: "text", text: "kept" }]]);
    await t.appendMessage({ role: "assistant", content: [] });
    const lines = readFileSync(file, "utf8").split("\n").filter(Boolean);
    expect(lines.map((l) => JSON.parse(l).type)).toEqual(["session", "message", "message"]);
  });

  it("reset archives the old transcript and starts a new session id, keeping the route", async () => {
    const { dir, store } = await openStore();
    const old = await store.ensure(KEY, { channel: "discord", lastTo: "channel:123", totalTokens: 500 });
    const fresh = await store.reset(KEY);
    expect(fresh.sessionId).not.toBe(old.sessionId);
    expect(fresh).toMatchObject({ channel: "discord", lastTo: "channel:123" });
    expect(fresh.totalTokens).toBeUndefined();
    const files = readdirSync(dir);
    expect(files.some((f) => f.startsWith(`${old.sessionId}.jsonl.reset.`))).toBe(true);
    expect(files).toContain(`${fresh.sessionId}.jsonl`);
  });

  it("delete removes the key and archives the transcript", async () => {
    const { dir, store } = await openStore();
    const { sessionId } = await store.ensure(KEY);
    expect(await store.delete(KEY)).toBe(true);
    expect(await store.delete(KEY)).toBe(false);
    expect(readIndex(dir)).toEqual({});
    expect(readdirSync(dir).some((f) => f.startsWith(`${sessionId}.jsonl.deleted.`))).toBe(true);
  });

  it.each([
    ["garbage", "{ not json"],
    ["empty", ""],
    ["an array", "[]"],
  ])(
    "indexes the transcripts when a legacy sessions.json is %s, leaving the file as it is",
    async (_name, content) => {
      const dir = tempDir();
      const { store } = await openStore();
      const a = await store.ensure(KEY);
      const b = await store.ensure("agent:main:main");
      for (const f of readdirSync(store.dir).filter((n) => n.endsWith(".jsonl"))) {
        writeFileSync(path.join(dir, f), readFileSync(path.join(store.dir, f)));
      }
      writeFileSync(path.join(dir, "sessions.json"), content);
      const { store: rebuilt } = await openStore(dir);
      expect(rebuilt.get(KEY)?.sessionId).toBe(a.sessionId);
      expect(rebuilt.get("agent:main:main")?.sessionId).toBe(b.sessionId);
      expect(readFileSync(path.join(dir, "sessions.json"), "utf8")).toBe(content);
    },
  );

  it("imports a legacy sessions.json once, and again only when another program changed it", async () => {
    const dir = tempDir();
    const legacy = {
      "agent:main:main": { sessionId: "a", updatedAt: 100, totalTokens: 7, label: "kept" },
      "agent:main:other": { sessionId: "b", updatedAt: 200 },
    };
    writeFileSync(path.join(dir, "sessions.json"), JSON.stringify(legacy));
    const { store } = await openStore(dir);
    expect(store.count()).toBe(2);
    expect(store.get("agent:main:main")).toMatchObject({ sessionId: "a", totalTokens: 7, label: "kept" });
    store.update("agent:main:other", { totalTokens: 3 });
    store.close();
    // OpenClaw <= 2026.8 writes the file again: its newer rows win, ours stay where newer.
    writeFileSync(
      path.join(dir, "sessions.json"),
      JSON.stringify({ ...legacy, "agent:main:main": { sessionId: "a2", updatedAt: Date.now() + 60_000 } }),
    );
    const { store: again } = await openStore(dir);
    expect(again.get("agent:main:main")?.sessionId).toBe("a2");
    expect(again.get("agent:main:other")?.totalTokens).toBe(3);
    expect(JSON.parse(readFileSync(path.join(dir, "sessions.json"), "utf8"))["agent:main:other"]).toEqual({
      sessionId: "b",
      updatedAt: 200,
    });
  });

  it("writes each update as its own row, readable by a second process at once", async () => {
    const { dir, store } = await openStore();
    const keys = Array.from({ length: 50 }, (_, i) => `agent:main:direct:${i}`);
    await Promise.all(keys.map((k) => store.ensure(k)));
    for (const [i, k] of keys.entries()) store.update(k, { totalTokens: i });
    const index = readIndex(dir);
    expect(Object.keys(index)).toHaveLength(50);
    expect(index["agent:main:direct:49"]!.totalTokens).toBe(49);
  });
});

describe("Transcript cache", () => {
  it("a second writer's lines are seen (the cache checks the file size)", async () => {
    const { dir, store } = await openStore();
    const { sessionId } = await store.ensure(KEY);
    const a = store.transcript(sessionId);
    expect((await a.read()).length).toBe(1);
    const { Transcript } = await import("./transcript.js");
    const b = new Transcript(path.join(dir, `${sessionId}.jsonl`), log);
    await b.appendMessage({ role: "user", content: [{ type: "text", text: "from b" }] });
    expect((await a.messages()).map((m) => (m.message!.content[0] as { text: string }).text)).toEqual([
      "from b",
    ]);
  });
});
