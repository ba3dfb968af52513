import path from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../../test/helpers/cli.js";
import { openDatabase } from "../infra/sqlite.js";
import { type PageQuery, SqliteSessionIndex } from "./index-db.js";

/** Sessions with distinct orders by each column: updated i, created reversed, tokens mod 7, name shuffled. */
function filled(n: number, file = path.join(tempDir(), "i.sqlite")) {
  const index = new SqliteSessionIndex(file);
  index.put(
    Array.from({ length: n }, (_, i) => ({
      key: `agent:main:k${String(i).padStart(6, "0")}`,
      entry: {
        sessionId: `s${i}`,
        updatedAt: 1_000 + i,
        createdAt: 1_000_000 - i,
        totalTokens: (i * 37) % 7,
        label: `Room ${String((i * 7919) % n).padStart(6, "0")}`,
        ...(i % 4 === 0 ? { archivedAt: 5 } : {}),
      },
    })),
  );
  return index;
}

/** Every row, following cursors page by page. */
function all(index: SqliteSessionIndex, q: Omit<PageQuery, "limit">, limit = 7) {
  const keys: string[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = index.page({ ...q, limit, cursor });
    keys.push(...page.sessions.map((s) => s.key));
    if (!page.hasMore) return { keys, totalCount: page.totalCount };
    cursor = page.nextCursor;
  }
}

describe("SqliteSessionIndex sorting and archive", () => {
  it("pages through every row once in each order, archived rows apart unless all are asked for", () => {
    const index = filled(60);
    const entry = (k: string) => index.get(k)!;
    const value = {
      updatedAt: (k: string) => entry(k).updatedAt,
      createdAt: (k: string) => entry(k).createdAt!,
      totalTokens: (k: string) => entry(k).totalTokens!,
      name: (k: string) => entry(k).label!.toLowerCase(),
    };
    for (const [sortBy, of] of Object.entries(value) as [
      keyof typeof value,
      (k: string) => number | string,
    ][]) {
      for (const sortDir of ["asc", "desc"] as const) {
        for (const archived of ["active", "archived", "all"] as const) {
          const { keys, totalCount } = all(index, { sortBy, sortDir, archived });
          const expected = archived === "active" ? 45 : archived === "archived" ? 15 : 60;
          expect(keys.length, `${sortBy} ${sortDir} ${archived}`).toBe(expected);
          expect(new Set(keys).size).toBe(expected);
          expect(totalCount).toBe(expected);
          expect(
            keys.every((k) =>
              archived === "all" ? true : (entry(k).archivedAt !== undefined) === (archived === "archived"),
            ),
          ).toBe(true);
          // Sorted by the column, ties broken by key, in the direction asked.
          const pairs = keys.map((k) => [of(k), k] as const);
          const sorted = [...pairs].sort((a, b) =>
            a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : 1,
          );
          expect(pairs).toEqual(sortDir === "asc" ? sorted : sorted.reverse());
        }
      }
    }
  });

  it("moves a row between the active and archived counts when it is archived or restored", () => {
    const index = filled(8); // 0 and 4 archived
    expect(index.page({ limit: 1, archived: "active" }).totalCount).toBe(6);
    index.put([{ key: "agent:main:k000001", entry: { ...index.get("agent:main:k000001")!, archivedAt: 9 } }]);
    expect(index.page({ limit: 1, archived: "active" }).totalCount).toBe(5);
    expect(index.page({ limit: 1, archived: "archived" }).totalCount).toBe(3);
    const { archivedAt: _, ...restored } = index.get("agent:main:k000000")!;
    index.put([{ key: "agent:main:k000000", entry: restored }]);
    expect(index.page({ limit: 1, archived: "archived" }).totalCount).toBe(2);
    index.delete("agent:main:k000004");
    expect(index.page({ limit: 1, archived: "archived" }).totalCount).toBe(1);
    expect(index.count()).toBe(7);
  });

  it("refuses a cursor made for another order with a message saying to start again", () => {
    const index = filled(20);
    const { nextCursor } = index.page({ limit: 5, sortBy: "createdAt" });
    expect(() => index.page({ limit: 5, sortBy: "name", cursor: nextCursor })).toThrow(
      /start again without a cursor/,
    );
  });

  it("adds the sort and archive columns to an index written by the previous version, from each row's JSON", () => {
    const file = path.join(tempDir(), "old.sqlite");
    const db = openDatabase(file);
    db.exec(`CREATE TABLE sessions (key TEXT PRIMARY KEY, session_id TEXT NOT NULL, updated_at INTEGER NOT NULL,
      label TEXT, channel TEXT, entry TEXT NOT NULL);
      CREATE INDEX sessions_newest ON sessions(updated_at DESC, key DESC);`);
    const put = db.prepare("INSERT INTO sessions VALUES (?, ?, ?, ?, NULL, ?)");
    put.run(
      "agent:main:a",
      "sa",
      3,
      "Zeta",
      JSON.stringify({ sessionId: "sa", updatedAt: 3, createdAt: 1, totalTokens: 50, label: "Zeta" }),
    );
    put.run("agent:main:b", "sb", 2, null, JSON.stringify({ sessionId: "sb", updatedAt: 2, archivedAt: 9 }));
    put.run(
      "agent:main:c",
      "sc",
      1,
      "alpha",
      JSON.stringify({ sessionId: "sc", updatedAt: 1, createdAt: 2, label: "alpha", pinnedAt: 7 }),
    );
    db.close();
    const index = new SqliteSessionIndex(file);
    const keys = (q: Omit<PageQuery, "limit">) => index.page({ limit: 10, ...q }).sessions.map((s) => s.key);
    expect(keys({ archived: "active", sortBy: "name", sortDir: "asc" })).toEqual([
      "agent:main:c",
      "agent:main:a",
    ]);
    expect(keys({ archived: "archived" })).toEqual(["agent:main:b"]);
    // c's pin (in its JSON) leads the default order.
    expect(keys({ archived: "active" })).toEqual(["agent:main:c", "agent:main:a"]);
    expect(keys({ sortBy: "totalTokens" })[0]).toBe("agent:main:a");
    // b has no createdAt: its last activity (2) stands in, tied with c and before it by key.
    expect(keys({ sortBy: "createdAt", sortDir: "asc" })).toEqual([
      "agent:main:a",
      "agent:main:b",
      "agent:main:c",
    ]);
    index.close();
    // Opening again does not migrate twice.
    expect(new SqliteSessionIndex(file).page({ limit: 10 }).totalCount).toBe(3);
  });

  it("puts pinned sessions first (newest pin first) in the default order, pages through them by cursor, and only there", () => {
    const index = filled(40);
    const pin = (i: number, at: number) => {
      const key = `agent:main:k${String(i).padStart(6, "0")}`;
      index.put([{ key, entry: { ...index.get(key)!, pinnedAt: at } }]);
      return key;
    };
    // 5 is the oldest activity but the newest pin; 4 is archived: an archived session's pin does not count.
    const pinned = [pin(5, 300), pin(30, 200), pin(21, 100)];
    pin(4, 400);
    for (const archived of ["active", "all"] as const) {
      const { keys } = all(index, { archived }, 2);
      expect(keys.slice(0, 3)).toEqual(pinned);
      expect(new Set(keys).size).toBe(keys.length);
      expect(keys.length).toBe(archived === "active" ? 30 : 40);
      // The rest by last activity, newest first.
      const rest = keys.slice(3).map((k) => Number(k.slice(-6)));
      expect(rest).toEqual([...rest].sort((a, b) => b - a));
    }
    // Ascending or by another column: pins make no difference (OpenClaw pins under updatedAt only).
    expect(all(index, { archived: "active", sortDir: "asc" }).keys[0]).toBe("agent:main:k000001");
    expect(all(index, { archived: "active", sortBy: "createdAt" }).keys.slice(0, 3)).not.toEqual(pinned);
    index.close();
  });
});
