import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { hasFts5, openDatabase, sqliteAvailable, transaction } from "./sqlite.js";

describe("infra/sqlite", () => {
  const file = () => path.join(mkdtempSync(path.join(os.tmpdir(), "sqlite-test-")), "t.sqlite");

  it("opens a file in WAL mode with full sync, and reads it back from a second connection", () => {
    expect(sqliteAvailable()).toBe(true);
    const f = file();
    const db = openDatabase(f);
    expect(db.prepare("PRAGMA journal_mode").get()).toEqual({ journal_mode: "wal" });
    expect(db.prepare("PRAGMA synchronous").get()).toEqual({ synchronous: 2 });
    db.exec("CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER)");
    db.prepare("INSERT INTO t VALUES (?, ?)").run("a", 1);
    const reader = openDatabase(f, { readOnly: true });
    expect(reader.prepare("SELECT v FROM t WHERE k = ?").get("a")).toEqual({ v: 1 });
    reader.close();
    db.close();
  });

  it("commits a transaction whole, or rolls it back whole when it throws", () => {
    const db = openDatabase(file());
    db.exec("CREATE TABLE t (k TEXT PRIMARY KEY)");
    transaction(db, () => db.prepare("INSERT INTO t VALUES ('a')").run());
    expect(() =>
      transaction(db, () => {
        db.prepare("INSERT INTO t VALUES ('b')").run();
        db.prepare("INSERT INTO t VALUES ('a')").run(); // primary key clash
      }),
    ).toThrow(/UNIQUE/);
    expect(db.prepare("SELECT k FROM t ORDER BY k").all()).toEqual([{ k: "a" }]);
    db.close();
  });

  it("says whether FTS5 is compiled in (Node >= 22.16), without leaving anything behind", () => {
    const db = openDatabase(file());
    const [major, minor] = process.versions.node.split(".").map(Number) as [number, number];
    expect(hasFts5(db)).toBe(major > 22 || minor >= 16);
    expect(db.prepare("SELECT count(*) AS n FROM temp.sqlite_master").get()).toEqual({ n: 0 });
    db.close();
  });
});
