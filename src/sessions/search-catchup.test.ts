import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";
import { tempDir } from "../../test/helpers/cli.js";
import { createLogger } from "../infra/logger.js";
import { hasFts5, openDatabase } from "../infra/sqlite.js";
import { INDEX_FILE, SessionStore } from "./store.js";

const log = createLogger("test");
const text = (t: string) => [{ type: "text", text: t }];

/**
 * A child process that appends to a session and dies by SIGKILL inside the search index's
 * write of the message containing CRASH: the line is on disk, the index never saw it.
 */
const CHILD = `
import { SessionStore } from ${JSON.stringify(path.resolve(import.meta.dirname, "store.ts"))};
import { TranscriptSearchIndex } from ${JSON.stringify(path.resolve(import.meta.dirname, "search-index.ts"))};
const [dir] = process.argv.slice(2);
const log = { debug() {}, info() {}, warn() {}, error() {}, child() { return log; } };
const store = await SessionStore.open(dir, log);
const { sessionId } = await store.ensure("agent:main:crashy");
const said = (t) => store.transcript(sessionId).appendMessage({ role: "user", content: [{ type: "text", text: t }] });
await said("the first pelican note");
const add = TranscriptSearchIndex.prototype.add;
TranscriptSearchIndex.prototype.add = function (id, messages, ...rest) {
  if (messages.some((m) => m.text.includes("CRASH"))) process.kill(process.pid, "SIGKILL");
  return add.call(this, id, messages, ...rest);
};
await said("CRASH the second pelican note");
`;

async function runChild(dir: string): Promise<NodeJS.Signals | null> {
  const work = tempDir();
  const outfile = path.join(work, "child.mjs");
  writeFileSync(path.join(work, "child.ts"), CHILD);
  await build({
    entryPoints: [path.join(work, "child.ts")],
    bundle: true,
    platform: "node",
    format: "esm",
    packages: "external",
    outfile,
    logLevel: "silent",
  });
  const child = spawn(process.execPath, [outfile, dir], { stdio: "inherit" });
  return new Promise((resolve) => child.on("exit", (_code, signal) => resolve(signal)));
}

// Needs FTS5 (Node >= 22.16); without it there is no index to catch up (see search.test.ts).
describe.runIf(hasFts5(openDatabase(":memory:")))("search index catch-up", () => {
  it("finds a message whose process was killed between the transcript append and the index write", async () => {
    const dir = tempDir();
    expect(await runChild(dir)).toBe("SIGKILL");
    const store = await SessionStore.open(dir, log);
    try {
      // The transcript has it; the index stopped before it and says how far it got.
      const id = store.get("agent:main:crashy")!.sessionId;
      expect((await store.transcript(id).messages()).map((m) => m.message?.content)).toHaveLength(2);
      expect(store.searchTranscripts({ text: "pelican", limit: 10 })!.hits).toHaveLength(1);
      await store.catchUpSearch();
      const hits = store.searchTranscripts({ text: "pelican", limit: 10 })!.hits;
      // Both, once each: the tail after the last indexed byte was read, not the first message again.
      expect(hits.map((h) => h.text)).toEqual(["CRASH the second pelican note", "the first pelican note"]);
      // The next message is indexed as it is appended, after the caught-up tail.
      await store.transcript(id).appendMessage({ role: "assistant", content: text("pelican reply") });
      expect(store.searchTranscripts({ text: "pelican", limit: 10 })!.hits).toHaveLength(3);
    } finally {
      store.close();
    }
  }, 30_000);

  it("catches up before the first append of a later process too, so nothing is skipped", async () => {
    const dir = tempDir();
    expect(await runChild(dir)).toBe("SIGKILL");
    const store = await SessionStore.open(dir, log);
    try {
      const id = store.get("agent:main:crashy")!.sessionId;
      await store.transcript(id).appendMessage({ role: "user", content: text("third pelican note") });
      expect(store.searchTranscripts({ text: "pelican", limit: 10 })!.hits).toHaveLength(3);
    } finally {
      store.close();
    }
  }, 30_000);

  it("reads only the tail an earlier process may have left unindexed, never the whole transcript again", async () => {
    const dir = tempDir();
    const first = await SessionStore.open(dir, log);
    const { sessionId } = await first.ensure("agent:main:clean");
    await first.transcript(sessionId).appendMessage({ role: "user", content: text("heron sighting") });
    first.close();
    // The first process appended (marked WRITING) and indexed everything: its tail is empty.
    const file = path.join(dir, `${sessionId}.jsonl`);
    // Same length, other words: a catch-up that read the whole file again would index these.
    writeFileSync(file, readFileSync(file, "utf8").replace("heron sighting", "egret sighting"));
    const store = await SessionStore.open(dir, log);
    try {
      await store.catchUpSearch();
      const db = openDatabase(path.join(dir, INDEX_FILE));
      expect(db.prepare("SELECT dirty FROM search_state WHERE session_id = ?").get(sessionId)).toEqual({
        dirty: 0,
      });
      db.close();
      expect(store.searchTranscripts({ text: "heron", limit: 10 })!.hits).toHaveLength(1);
      expect(store.searchTranscripts({ text: "egret", limit: 10 })!.hits).toHaveLength(0);
    } finally {
      store.close();
    }
  });

  it("does not return messages a rewind left on another branch (as OpenClaw indexes the active branch only)", async () => {
    const store = await SessionStore.open(tempDir(), log);
    try {
      const { sessionId } = await store.ensure("agent:main:rewound");
      const t = store.transcript(sessionId);
      await t.appendMessage({ role: "user", content: text("plan the walrus trip") });
      const asked = await t.appendMessage({ role: "user", content: text("walrus question, first wording") });
      await t.appendMessage({ role: "assistant", content: text("walrus answer to the first wording") });
      await t.rewindBefore(asked.id);
      await t.appendMessage({ role: "user", content: text("walrus question, edited") });
      await store.catchUpSearch();
      const texts = store.searchTranscripts({ text: "walrus", limit: 10 })!.hits.map((h) => h.text);
      expect(texts.sort()).toEqual(["plan the walrus trip", "walrus question, edited"]);
      // And the session goes on being indexed as it is appended.
      await t.appendMessage({ role: "assistant", content: text("walrus answer, edited") });
      expect(store.searchTranscripts({ text: "walrus answer", limit: 10 })!.hits.map((h) => h.text)).toEqual([
        "walrus answer, edited",
      ]);
    } finally {
      store.close();
    }
  });
});
