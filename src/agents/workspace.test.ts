import { readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../../test/helpers/cli.js";
import { BOOTSTRAP_FILES, ensureWorkspace, loadBootstrap } from "./workspace.js";

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
    const prompt = await loadBootstrap(dir, { maxChars: 50 });
    expect(prompt).toContain("## USER.md\nI am Ada.");
    expect(prompt).toContain("## SOUL.md\n[missing file]");
    expect(prompt).toContain(`## TOOLS.md\n${"x".repeat(50)}\n[truncated: TOOLS.md is 100 characters]`);
    expect(prompt.indexOf("## AGENTS.md")).toBeLessThan(prompt.indexOf("## USER.md"));
  });
});
