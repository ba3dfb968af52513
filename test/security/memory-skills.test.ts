import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createToolSet, runTool, type ToolContext } from "../../src/agents/tools/index.js";
import { MemoryIndex } from "../../src/memory/index.js";
import { tempDir } from "../helpers/cli.js";

/**
 * A model (prompt-injected, or asked by a group member) uses the memory tools and the
 * skill hooks to reach what it must not: files outside memory, the owner's MEMORY.md
 * from a group chat, files outside the workspace through a skill folder.
 */

const OWNER = "agent:main:main";
const GROUP = "agent:main:telegram:group:-100123";
let workspace: string;
let outside: string;
let skillDir: string;
let index: MemoryIndex;
const tools = createToolSet();

beforeAll(() => {
  const root = tempDir();
  workspace = path.join(root, "workspace");
  outside = path.join(root, "outside");
  skillDir = path.join(root, "state", "skills", "weather");
  for (const d of [path.join(workspace, "memory"), outside, skillDir]) mkdirSync(d, { recursive: true });
  writeFileSync(path.join(workspace, "MEMORY.md"), "Owner's bank PIN hint: heron.\n");
  writeFileSync(path.join(workspace, "memory", "2026-02-01.md"), "Shared plan: picnic on Sunday.\n");
  writeFileSync(path.join(workspace, "USER.md"), "not a memory file\n");
  writeFileSync(path.join(outside, "secret.md"), "server root password: kestrel\n");
  writeFileSync(path.join(skillDir, "SKILL.md"), "---\ndescription: d\n---\n");
  // A sibling folder whose name starts with the skill folder's: a prefix check would let it through.
  mkdirSync(`${skillDir}-evil`);
  writeFileSync(`${skillDir}-evil/secret.md`, "kestrel\n");
  symlinkSync(path.join(outside, "secret.md"), path.join(workspace, "memory", "leak.md"));
  symlinkSync(outside, path.join(workspace, "memory", "linked-dir"));
  index = MemoryIndex.open(workspace, path.join(root, "state", "memory", "main.sqlite"));
});
afterAll(() => index.close());

const ctx = (sessionKey: string, extra: Partial<ToolContext> = {}): ToolContext => ({
  workspace,
  agentId: "main",
  sessionKey,
  signal: new AbortController().signal,
  memory: () => index,
  ...extra,
});
const call = async (name: string, args: unknown, c: ToolContext) => {
  const result = await runTool(tools, name, args, c);
  return { text: result.content.map((p) => p.text).join(""), isError: result.isError === true };
};

/** Paths out of the memory files: climbing out, a non-memory file, a symlinked note and folder. */
const ESCAPES = [
  ["../outside/secret.md"],
  ["memory/../../outside/secret.md"],
  ["USER.md"],
  ["memory/leak.md"],
  ["memory/linked-dir/secret.md"],
];

describe("memory tools stay inside the memory files", () => {
  it.each(ESCAPES)("memory_get refuses %s", async (p) => {
    const result = await call("memory_get", { path: p }, ctx(OWNER));
    expect(result.isError).toBe(true);
    expect(result.text).not.toContain("kestrel");
  });

  it("memory_get refuses an absolute path to a file outside the workspace", async () => {
    const result = await call("memory_get", { path: path.join(outside, "secret.md") }, ctx(OWNER));
    expect(result).toMatchObject({ isError: true });
    expect(result.text).not.toContain("kestrel");
  });

  it("memory_search never indexes a file reached through a symlink", async () => {
    expect((await call("memory_search", { query: "kestrel password" }, ctx(OWNER))).text).not.toContain(
      "kestrel",
    );
  });
});

describe("memory.get (the Control UI's reader) reads memory files only", () => {
  it.each([...ESCAPES, [path.join("..", "outside", "secret.md")]])("refuses %s", (p) => {
    expect(index.read(p)).toBeUndefined();
  });

  it("reads a daily note", () => {
    expect(index.read("memory/2026-02-01.md")?.text).toContain("picnic on Sunday");
  });
});

describe("a group chat never reads the owner's MEMORY.md", () => {
  it("memory_search from a group leaves MEMORY.md out; from the owner's session it is in", async () => {
    expect((await call("memory_search", { query: "bank PIN heron" }, ctx(GROUP))).text).not.toContain(
      "heron",
    );
    expect((await call("memory_search", { query: "bank PIN heron" }, ctx(OWNER))).text).toContain("heron");
    expect((await call("memory_search", { query: "picnic" }, ctx(GROUP))).text).toContain("picnic on Sunday");
  });

  it.each([["MEMORY.md"], ["./MEMORY.md"], ["memory/../MEMORY.md"]])(
    "memory_get %s from a group is refused",
    async (p) => {
      const result = await call("memory_get", { path: p }, ctx(GROUP));
      expect(result).toMatchObject({ isError: true });
      expect(result.text).not.toContain("heron");
    },
  );
});

describe("skill folders open reads, nothing more", () => {
  const skills = () => ({ dirs: () => [skillDir], env: () => undefined });

  it("read may open a listed skill's SKILL.md outside the workspace", async () => {
    const result = await call(
      "read",
      { path: path.join(skillDir, "SKILL.md") },
      ctx(OWNER, { skills: skills() }),
    );
    expect(result).toMatchObject({ isError: false, text: expect.stringContaining("description: d") });
  });

  it.each([
    () => path.join(outside, "secret.md"),
    () => path.join(skillDir, "..", "..", "..", "outside", "secret.md"),
    () => `${skillDir}-evil/secret.md`,
  ])("read refuses a path that only looks like it is in a skill folder (%#)", async (p) => {
    const result = await call("read", { path: p() }, ctx(OWNER, { skills: skills() }));
    expect(result.isError).toBe(true);
    expect(result.text).not.toContain("kestrel");
  });

  it("write cannot use a skill folder to leave the workspace", async () => {
    const target = path.join(skillDir, "SKILL.md");
    const result = await call(
      "write",
      { path: target, content: "hijacked" },
      ctx(OWNER, { skills: skills() }),
    );
    expect(result.isError).toBe(true);
  });

  it("exec naming a skill that is not eligible gets no env and does not run", async () => {
    const result = await call(
      "exec",
      { command: "echo ran", skill: "weather" },
      ctx(OWNER, { skills: skills() }),
    );
    expect(result).toMatchObject({
      isError: true,
      text: expect.stringContaining("no eligible skill named weather"),
    });
  });
});
