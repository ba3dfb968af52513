import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../../test/helpers/cli.js";
import { createLogger } from "../infra/logger.js";
import { hasFts5, openDatabase } from "../infra/sqlite.js";
import { forkPrefix } from "../sessions/branch.js";
import { SessionStore } from "../sessions/store.js";
import type { TranscriptEntry } from "../sessions/transcript.js";
import { contextFromTranscript } from "./history.js";

/** A fork's transcript as the agent reads it: a compaction in the copy still finds what it kept. */

const header = { type: "session", id: "s1" };
const say = (id: string, parentId: string | null, role: string, text: string) => ({
  type: "message",
  id,
  parentId,
  timestamp: `t-${id}`,
  message: { role, content: [{ type: "text", text }] },
});

describe("SessionStore.createWith (a fork on disk)", () => {
  it("writes the whole transcript at once (no temp file left), indexes it, and a compaction in it still finds its kept entry", async () => {
    const dir = tempDir("fork-");
    const store = await SessionStore.open(dir, createLogger("test"));
    const lines = [
      header,
      say("q1", null, "user", "old question"),
      say("a1", "q1", "assistant", "old answer"),
      say("q2", "a1", "user", "kept question"),
      say("a2", "q2", "assistant", "kept answer"),
      { type: "compaction", id: "c1", parentId: "a2", summary: "they talked", firstKeptEntryId: "q2" },
      say("q3", "c1", "user", "after the summary"),
      say("a3", "q3", "assistant", "answer after"),
      say("q4", "a3", "user", "the forked-at message"),
    ];
    const entry = await store.createWith(
      "agent:main:dashboard:x",
      forkPrefix(lines, "q4") as TranscriptEntry[],
      {
        forkSource: { sessionKey: "agent:main:main" },
      },
    );
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
    const file = readFileSync(path.join(dir, `${entry.sessionId}.jsonl`), "utf8")
      .trim()
      .split("\n");
    expect(JSON.parse(file[0]!)).toMatchObject({ type: "session", version: 3, id: entry.sessionId });
    expect(file).toHaveLength(8);

    const read = await store.transcript(entry.sessionId).read();
    const context = contextFromTranscript(read).map((m) => JSON.stringify(m.content));
    expect(context[0]).toContain("they talked");
    expect(context.slice(1).join()).toContain("kept question");
    expect(context.join()).not.toContain("old question");
    expect(context.join()).not.toContain("the forked-at message");
    expect(store.get("agent:main:dashboard:x")).toMatchObject({
      forkSource: { sessionKey: "agent:main:main" },
    });
    // The copy is searchable at once (where SQLite has FTS5: Node >= 22.16; else there is no search).
    const found = store.searchTranscripts({ text: "after the summary", limit: 10 });
    if (hasFts5(openDatabase(":memory:"))) expect(found?.hits.length).toBe(1);
    else expect(found).toBeUndefined();
    await expect(store.createWith("agent:main:dashboard:x", [], {})).rejects.toThrow("exists already");
    store.close();
  });
});
