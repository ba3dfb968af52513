import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../../test/helpers/cli.js";
import { BOOTSTRAP_FILES, BootstrapCache, ensureWorkspace, loadBootstrap } from "./workspace.js";

describe("agent workspace", () => {
  it("creates the bootstrap files once and never overwrites the user's edits", async () => {
    const dir = path.join(tempDir(), "workspace");
    expect(await ensureWorkspace(dir)).toEqual([...BOOTSTRAP_FILES]);
    writeFileSync(path.join(dir, "USER.md"), "I am Ada. I live in UTC+1.");
    expect(await ensureWorkspace(dir)).toEqual([]);
    expect(readFileSync(path.join(dir, "USER.md"), "utf8")).toBe("I am Ada. I live in UTC+1.");
  });

  it("loads the files into one prompt, marking missing ones and truncating long ones", async () => {
    const dir = path.join(tempDir(), "workspace");
    await ensureWorkspace(dir);
    writeFileSync(path.join(dir, "USER.md"), "I am Ada.");
    writeFileSync(path.join(dir, "TOOLS.md"), "x".repeat(100));
    rmSync(path.join(dir, "SOUL.md"));
    const { text: prompt, truncated } = await loadBootstrap(dir, { maxChars: 50 });
    expect(prompt).toContain("## USER.md\nI am Ada.");
    expect(prompt).toContain("## SOUL.md\n[missing file]");
    expect(prompt).toContain(
      `## TOOLS.md\n${"x".repeat(50)}\n[truncated: TOOLS.md is 100 characters; read the file for the rest]`,
    );
    expect(truncated).toEqual(["AGENTS.md", "TOOLS.md"]); // the default AGENTS.md is over 50 too
    expect(prompt.indexOf("## AGENTS.md")).toBeLessThan(prompt.indexOf("## USER.md"));
  });

  it("loads MEMORY.md in private sessions only, and yesterday's and today's daily notes", async () => {
    const dir = path.join(tempDir(), "workspace");
    await ensureWorkspace(dir);
    mkdirSync(path.join(dir, "memory"));
    writeFileSync(path.join(dir, "MEMORY.md"), "Owner's allergy: penicillin.");
    writeFileSync(path.join(dir, "memory/2026-03-01.md"), "Yesterday: fixed the boiler.");
    writeFileSync(path.join(dir, "memory/2026-03-02.md"), "Today: call the plumber.");
    writeFileSync(path.join(dir, "memory/2026-02-27.md"), "Long ago: nothing.");
    const now = new Date(2026, 2, 2, 12);
    const own = (await loadBootstrap(dir, { includeLongTermMemory: true, now })).text;
    const group = (await loadBootstrap(dir, { includeLongTermMemory: false, now })).text;
    expect(own).toContain("## MEMORY.md\nOwner's allergy: penicillin.");
    expect(group).not.toContain("penicillin");
    for (const text of [own, group]) {
      expect(text).toContain("## memory/2026-03-01.md\nYesterday: fixed the boiler.");
      expect(text).toContain("## memory/2026-03-02.md\nToday: call the plumber.");
      expect(text).not.toContain("Long ago");
    }
  });

  it("reports a truncated MEMORY.md and re-reads it after an edit", async () => {
    const dir = path.join(tempDir(), "workspace");
    const reported: string[][] = [];
    const cache = new BootstrapCache((_dir, files) => reported.push(files));
    await ensureWorkspace(dir);
    writeFileSync(path.join(dir, "MEMORY.md"), "m".repeat(25_000));
    expect(await cache.load(dir, { includeLongTermMemory: true })).toContain(
      "[truncated: MEMORY.md is 25000",
    );
    expect(reported).toEqual([["MEMORY.md"]]);
    writeFileSync(path.join(dir, "MEMORY.md"), "short now");
    expect(await cache.load(dir, { includeLongTermMemory: true })).toContain("## MEMORY.md\nshort now");
  });
});
