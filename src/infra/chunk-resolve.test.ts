import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import module from "node:module";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";

/**
 * The hook runs in a child Node (it changes module resolution for the whole process). A
 * chunk reached through a symlink tells the two resolvers apart: Node's own follows the link
 * (`import.meta.url` is the target's), resolving by URL does not.
 */
function runWithHook(hook: boolean): { chunk: string; outside: string; builtin: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), "chunk-resolve-"));
  const dist = path.join(dir, "dist");
  mkdirSync(path.join(dist, "chunks"), { recursive: true });
  writeFileSync(path.join(dist, "chunks", "real.js"), "export const url = import.meta.url;\n");
  symlinkSync(path.join(dist, "chunks", "real.js"), path.join(dist, "chunks", "linked.js"));
  writeFileSync(path.join(dir, "real-outside.js"), "export const url = import.meta.url;\n");
  symlinkSync(path.join(dir, "real-outside.js"), path.join(dir, "outside.js"));
  const hookUrl = pathToFileURL(path.join(import.meta.dirname, "chunk-resolve.ts")).href;
  writeFileSync(
    path.join(dist, "index.mjs"),
    [
      `import { resolveChunksByUrl } from ${JSON.stringify(hookUrl)};`,
      hook ? `resolveChunksByUrl(new URL("./", import.meta.url).href);` : "",
      `const { url: chunk } = await import("./chunks/linked.js");`,
      `const { url: outside } = await import("../outside.js");`,
      `const { sep: builtin } = await import("node:path");`,
      "process.stdout.write(JSON.stringify({ chunk, outside, builtin }));",
    ].join("\n"),
  );
  return JSON.parse(execFileSync(process.execPath, [path.join(dist, "index.mjs")], { encoding: "utf8" }));
}

describe.runIf(typeof module.registerHooks === "function")("infra/chunk-resolve", () => {
  it("resolves a bundle chunk's sibling by URL alone, and leaves the rest to Node", () => {
    const hooked = runWithHook(true);
    expect(hooked.chunk).toMatch(/\/dist\/chunks\/linked\.js$/);
    // Outside the bundle's directory Node's resolver still runs (it follows the link).
    expect(hooked.outside).toMatch(/\/real-outside\.js$/);
    expect(hooked.builtin).toBe("/");

    const plain = runWithHook(false);
    expect(plain.chunk).toMatch(/\/dist\/chunks\/real\.js$/);
    expect(plain.outside).toMatch(/\/real-outside\.js$/);
  });
});
