import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./load.js";

let dir: string;
let file: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "openclaw-include-"));
  file = path.join(dir, "openclaw.json");
});

async function files(entries: Record<string, string>) {
  for (const [name, text] of Object.entries(entries)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), text);
  }
}

async function problems(): Promise<string[]> {
  try {
    await loadConfig(file, {});
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe("$include", () => {
  it("replaces the object with one file, relative to the including file", async () => {
    await files({
      "openclaw.json": '{ agents: { $include: "./parts/agents.json5" } }',
      "parts/agents.json5": '{ defaults: { $include: "./defaults.json5" }, list: [{ id: "main" }] }',
      "parts/defaults.json5": "{ maxConcurrent: 3 }",
    });
    const { config } = await loadConfig(file, {});
    expect(config.agents).toEqual({ defaults: { maxConcurrent: 3 }, list: [{ id: "main" }] });
  });

  it("deep-merges a list of files in order; sibling keys override", async () => {
    await files({
      "openclaw.json": '{ gateway: { $include: ["a.json5", "b.json5"], port: 3000 } }',
      "a.json5": '{ mode: "remote", port: 1, auth: { mode: "token", token: "aaaaaa" } }',
      "b.json5": '{ mode: "local", auth: { token: "bbbbbb" } }',
    });
    const { config } = await loadConfig(file, {});
    expect(config.gateway).toEqual({ mode: "local", port: 3000, auth: { mode: "token", token: "bbbbbb" } });
  });

  it("substitutes ${VAR} inside included files", async () => {
    await files({
      "openclaw.json": '{ gateway: { $include: "g.json5" } }',
      "g.json5": '{ auth: { token: "${T}" } }',
    });
    const { config } = await loadConfig(file, { T: "from-env" });
    expect(config.gateway?.auth?.token).toBe("from-env");
  });

  it.each<[string, Record<string, string>, (dir: string) => string[]]>([
    [
      "a file outside the config folder",
      { "openclaw.json": '{ agents: { $include: "../outside.json5" } }', "../outside.json5": "{}" },
      (dir) => [
        `agents.$include: "../outside.json5" is outside the config folder ${dir}; includes must stay inside it`,
      ],
    ],
    [
      "a missing file",
      { "openclaw.json": '{ agents: { $include: "nope.json5" } }' },
      () => ['agents.$include: cannot read "nope.json5" (no such file)'],
    ],
    [
      "a cycle",
      {
        "openclaw.json": '{ agents: { $include: "a.json5" } }',
        "a.json5": '{ $include: "b.json5" }',
        "b.json5": '{ $include: "a.json5" }',
      },
      () => ["b.json5: $include: circular $include: a.json5 → b.json5 → a.json5"],
    ],
    [
      "an include of the main file itself",
      { "openclaw.json": '{ agents: { $include: "./openclaw.json" } }' },
      () => ["agents.$include: circular $include: openclaw.json → openclaw.json"],
    ],
    [
      "a bad $include value",
      { "openclaw.json": "{ agents: { $include: 5 } }" },
      () => ["agents.$include: must be a file path or a list of file paths (got 5)"],
    ],
    [
      "invalid JSON5 in an included file",
      { "openclaw.json": '{ agents: { $include: "a.json5" } }', "a.json5": "{ nope" },
      () => ['agents.$include: "a.json5" is not valid JSON5: JSON5: invalid end of input at 1:7'],
    ],
  ])("reports %s", async (_name, entries, expected) => {
    await files(entries);
    expect(await problems()).toEqual(expected(dir));
  });

  it("stops at 10 levels of nesting", async () => {
    const entries: Record<string, string> = { "openclaw.json": '{ agents: { $include: "l1.json5" } }' };
    for (let i = 1; i <= 12; i++) entries[`l${i}.json5`] = `{ $include: "l${i + 1}.json5" }`;
    entries["l13.json5"] = "{}";
    await files(entries);
    expect(await problems()).toEqual(["l10.json5: $include: $include nested more than 10 levels deep"]);
  });
});
