import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../../test/helpers/cli.js";
import { createLogger } from "../infra/logger.js";
import { openDatabase } from "../infra/sqlite.js";
import { GROUPS_FILE, MAX_GROUPS, SessionGroupCatalog, SessionGroupError } from "./groups.js";

const log = createLogger("test");

/** OpenClaw's catalog table, as its state database has it (names, positions). */
function openClawState(names: [string, number][]): string {
  const state = tempDir();
  mkdirSync(path.join(state, "state"));
  const db = openDatabase(path.join(state, "state", "openclaw.sqlite"));
  db.exec(
    "CREATE TABLE session_groups (name TEXT PRIMARY KEY, position INTEGER NOT NULL, created_at INTEGER)",
  );
  for (const [name, position] of names)
    db.prepare("INSERT INTO session_groups VALUES (?, ?, 0)").run(name, position);
  db.close();
  return state;
}

describe("the session group catalog", () => {
  it("starts from OpenClaw's catalog, in its order, and from then on from its own file", async () => {
    const state = openClawState([
      ["Later", 1],
      ["First", 0],
    ]);
    const catalog = await SessionGroupCatalog.open(state, log);
    expect(catalog.list()).toEqual([
      { name: "First", position: 0 },
      { name: "Later", position: 1 },
    ]);
    await catalog.register("Mine");
    const file = JSON.parse(readFileSync(path.join(state, GROUPS_FILE), "utf8"));
    expect(file).toEqual({
      version: 1,
      groups: [
        { name: "First", position: 0 },
        { name: "Later", position: 1 },
        { name: "Mine", position: 2 },
      ],
    });
    const reopened = await SessionGroupCatalog.open(state, log);
    expect(reopened.list().map((g) => g.name)).toEqual(["First", "Later", "Mine"]);
  });

  it("renames in place, merging onto an existing name, and refuses more than MAX_GROUPS", async () => {
    const catalog = await SessionGroupCatalog.open(tempDir(), log);
    await catalog.replace(["A", "B", "C"]);
    await catalog.rename("B", "A");
    expect(catalog.list().map((g) => g.name)).toEqual(["A", "C"]);
    await catalog.replace(Array.from({ length: MAX_GROUPS }, (_, i) => `g${i}`));
    await expect(catalog.register("one more")).rejects.toThrow(SessionGroupError);
  });

  it("says which file is unreadable instead of starting empty", async () => {
    const state = tempDir();
    writeFileSync(path.join(state, GROUPS_FILE), "{ not json");
    await expect(SessionGroupCatalog.open(state, log)).rejects.toThrow(GROUPS_FILE);
  });
});
