import { statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../../test/helpers/cli.js";
import { SqliteSessionIndex } from "./index-db.js";

function filled(n: number, at = (i: number) => 1_000 + Math.floor(i / 3)) {
  const index = new SqliteSessionIndex(path.join(tempDir(), "i.sqlite"));
  index.put(
    Array.from({ length: n }, (_, i) => ({
      key: `agent:main:discord:channel:${i}`,
      entry: {
        sessionId: `s${i}`,
        updatedAt: at(i),
        channel: i % 2 ? "discord" : "telegram",
        label: `room ${i}`,
      },
    })),
  );
  return index;
}

describe("SqliteSessionIndex paging", () => {
  it("pages through every row once, newest first, with ties broken by key", () => {
    const index = filled(250);
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    for (;;) {
      const page = index.page({ limit: 40, cursor });
      pages++;
      expect(page.totalCount).toBe(250);
      seen.push(...page.sessions.map((s) => s.key));
      if (!page.hasMore) break;
      cursor = page.nextCursor;
    }
    expect(pages).toBe(7);
    expect(new Set(seen).size).toBe(250);
    const times = seen.map((k) => index.get(k)!.updatedAt);
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });

  it("a cursor stays valid when newer sessions arrive between pages", () => {
    const index = filled(30);
    const first = index.page({ limit: 10 });
    index.put([{ key: "agent:main:new", entry: { sessionId: "n", updatedAt: 99_999 } }]);
    const second = index.page({ limit: 10, cursor: first.nextCursor });
    expect(second.sessions.map((s) => s.key)).not.toContain("agent:main:new");
    expect(second.sessions.some((s) => first.sessions.some((f) => f.key === s.key))).toBe(false);
    expect(second.totalCount).toBe(31);
  });

  it("offset skips rows; the count follows puts and deletes without a scan", () => {
    const index = filled(20);
    expect(index.page({ limit: 5, offset: 15 }).sessions).toHaveLength(5);
    expect(index.page({ limit: 5, offset: 15 }).hasMore).toBe(false);
    index.put([{ key: "agent:main:discord:channel:3", entry: { sessionId: "again", updatedAt: 5 } }]);
    expect(index.count()).toBe(20);
    expect(index.delete("agent:main:discord:channel:3")).toBe(true);
    expect(index.delete("agent:main:discord:channel:3")).toBe(false);
    expect(index.count()).toBe(19);
  });

  it("searches key, label and channel case-insensitively, taking % and _ literally", () => {
    const index = filled(12);
    index.put([{ key: "agent:main:100%_done", entry: { sessionId: "p", updatedAt: 1 } }]);
    expect(index.page({ limit: 50, search: "ROOM 1" }).totalCount).toBe(3); // room 1, 10, 11
    expect(index.page({ limit: 50, search: "telegram" }).totalCount).toBe(6);
    expect(index.page({ limit: 50, search: "%_" }).sessions.map((s) => s.key)).toEqual([
      "agent:main:100%_done",
    ]);
    const paged = index.page({ limit: 2, search: "discord" });
    expect(paged.hasMore).toBe(true);
    const rest = index.page({ limit: 50, search: "discord", cursor: paged.nextCursor });
    expect(paged.sessions.length + rest.sessions.length).toBe(paged.totalCount);
  });

  it("keeps the index file owner-only (it holds who talked to the assistant, and where)", () => {
    const file = path.join(tempDir(), "i.sqlite");
    const index = new SqliteSessionIndex(file);
    index.put([{ key: "agent:main:main", entry: { sessionId: "s", updatedAt: 1 } }]);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(`${file}-wal`).mode & 0o777).toBe(0o600);
    index.close();
  });

  it("rejects a cursor it did not make with a message saying what to pass", () => {
    const index = filled(3);
    expect(() => index.page({ limit: 2, cursor: "not-a-cursor" })).toThrow(/pass the nextCursor/);
  });
});
