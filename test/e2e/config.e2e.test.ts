import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const CLI = path.resolve(import.meta.dirname, "../../dist/index.js");
const run = promisify(execFile);

let stateDir: string;
let file: string;
let gateway: ChildProcess;
let port: number;
const lines: string[] = [];
const waiters = new Set<{ pattern: RegExp; resolve(line: string): void }>();

/** Resolves with the first gateway output line (past or future) matching `pattern`, after `from`. */
function waitForLine(pattern: RegExp, from = 0): Promise<string> {
  const seen = lines.slice(from).find((l) => pattern.test(l));
  if (seen) return Promise.resolve(seen);
  return new Promise((resolve) => waiters.add({ pattern, resolve }));
}

function env() {
  const {
    OPENCLAW_GATEWAY_TOKEN: _t,
    OPENCLAW_GATEWAY_PORT: _p,
    OPENCLAW_CONFIG_PATH: _c,
    ...rest
  } = process.env;
  return { ...rest, OPENCLAW_STATE_DIR: stateDir, NO_COLOR: "1" };
}

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { env: env() });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

beforeAll(async () => {
  stateDir = await mkdtemp(path.join(os.tmpdir(), "openclaw-e2e-config-"));
  file = path.join(stateDir, "openclaw.json");
  await writeFile(file, '// hand-written\n{ gateway: { mode: "local" } }\n');
  gateway = spawn(process.execPath, [CLI, "gateway", "--port", "0"], { env: env() });
  for (const stream of [gateway.stdout!, gateway.stderr!]) {
    createInterface({ input: stream }).on("line", (line) => {
      lines.push(line);
      for (const w of waiters) {
        if (w.pattern.test(line)) {
          waiters.delete(w);
          w.resolve(line);
        }
      }
    });
  }
  const listening = await waitForLine(/\[gateway\] listening on ws:\/\/127\.0\.0\.1:\d+ \(PID \d+\)/);
  port = Number(/:(\d+) \(PID/.exec(listening)![1]);
});

afterAll(async () => {
  if (gateway.exitCode === null) {
    const exited = new Promise((resolve) => gateway.on("exit", resolve));
    gateway.kill("SIGTERM");
    await exited;
  }
});

describe("config edits against a running gateway (built CLI)", () => {
  it("config set goes through the gateway and applies without a restart", async () => {
    const mark = lines.length;
    const set = await cli("config", "set", "logging.level", "debug");
    expect(set.stderr).toBe("");
    expect(set.stdout).toContain("set logging.level (applied by the running gateway)");
    expect(set.code).toBe(0);
    await waitForLine(/\[reload\] config applied live \(config\.set\): logging\.level/, mark);
    const get = await cli("config", "get", "logging.level");
    expect(get.stdout.trim()).toBe("debug");
  });

  it("a setting read at start is written, and the user is told it needs a restart", async () => {
    const set = await cli("config", "set", "gateway.controlUi.basePath", "/ui");
    expect(set.stdout).toContain("restart the gateway for gateway.controlUi.basePath");
  });

  it("an invalid value is refused with the problem listed, exit 1", async () => {
    const set = await cli("config", "set", "gateway.prot", "8080");
    expect(set.code).toBe(1);
    expect(set.stderr).toContain("gateway.prot: unknown key (did you mean `port`?)");
  });

  it("an invalid hand edit is skipped and the gateway keeps serving", async () => {
    const mark = lines.length;
    await writeFile(file, '{ gateway: { mode: "local", port: "x" } }\n');
    const line = await waitForLine(/config reload skipped \(invalid config\)/, mark);
    expect(line).toContain('gateway.port: expected a number (got "x")');
    const health = await cli("health", "--url", `ws://127.0.0.1:${port}`);
    expect(health.code).toBe(0);
    // The running gateway still has the last good config; config.get says the file is invalid.
    const got = await cli("gateway", "call", "config.get", "--url", `ws://127.0.0.1:${port}`);
    expect(JSON.parse(got.stdout)).toMatchObject({ valid: false, resolved: { logging: { level: "debug" } } });
  });

  it("a valid hand edit is applied live", async () => {
    const mark = lines.length;
    await writeFile(file, '{ gateway: { mode: "local" }, logging: { level: "warn" } }\n');
    await waitForLine(/\[reload\] config applied live \(file change\): logging\.level/, mark);
    expect((await cli("config", "get", "logging.level")).stdout.trim()).toBe("warn");
  });
});
