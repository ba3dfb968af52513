import { spawn } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { build } from "esbuild";
import { beforeAll, describe, expect, it } from "vitest";
import { parseConfigText } from "../../src/config/load.js";

/** A child process that writes config versions 1, 2, 3… in a loop, printing each once written. */
const WRITER = `
import { writeConfig } from "./src/config/write.ts";
const [file, start] = [process.argv[2], Number(process.argv[3])];
for (let n = start; ; n++) {
  await writeConfig({ file, document: { agents: { defaults: { maxConcurrent: n } }, gateway: { mode: "local" } }, env: {} });
  process.stdout.write("wrote " + n + "\\n");
}
`;

let dir: string;
let writer: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "openclaw-crash-"));
  writer = path.join(dir, "writer.mjs");
  await build({
    stdin: { contents: WRITER, resolveDir: path.resolve(import.meta.dirname, "../.."), loader: "ts" },
    outfile: writer,
    bundle: true,
    format: "esm",
    platform: "node",
    define: { __OPENCLAW_VERSION__: '"test"' },
    logLevel: "warning",
  });
});

/**
 * Runs the writer from `start` and kill -9s it at a random instant 2–40 ms after its
 * first write (dozens of writes later, at an arbitrary point inside one). Resolves with
 * the last version it reported as written.
 */
async function writeAndKill(file: string, start: number): Promise<number> {
  const child = spawn(process.execPath, [writer, file, String(start)], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let last = start - 1;
  const exited = new Promise((resolve) => child.on("exit", resolve));
  let scheduled = false;
  for await (const line of createInterface({ input: child.stdout })) {
    last = Number(line.split(" ")[1]);
    if (!scheduled) {
      scheduled = true;
      setTimeout(() => child.kill("SIGKILL"), 2 + Math.random() * 38);
    }
  }
  await exited;
  return last;
}

describe("config writes under kill -9", () => {
  it("always leave a complete file holding one of the written versions", async () => {
    const file = path.join(dir, "openclaw.json");
    await writeFile(file, JSON.stringify({ agents: { defaults: { maxConcurrent: 1 } } }));
    let start = 2;
    for (let round = 0; round < 20; round++) {
      const lastReported = await writeAndKill(file, start);
      const text = await readFile(file, "utf8");
      const config = parseConfigText(file, text, {});
      const version = config.agents?.defaults?.maxConcurrent ?? 0;
      // The reported version is on disk, or the next one whose rename landed just before the kill.
      expect([lastReported, lastReported + 1]).toContain(version);
      start = lastReported + 2;
    }
  });
});
