/**
 * Attack: a 7 MiB config value cost 1 GB after four `config.get`s. Config writes
 * (RPC and CLI) that make the file larger than MAX_CONFIG_BYTES, or a value larger
 * than MAX_CONFIG_VALUE_BYTES, are refused; a larger file is refused at load.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_CONFIG_BYTES, MAX_CONFIG_VALUE_BYTES } from "../../src/config/limits.js";
import { runCli, startGateway, tempDir, testEnv } from "../helpers/cli.js";
import type { RawSocket } from "../helpers/ws.js";
import { rssMiB, startTarget, type Target } from "./harness.js";

let target: Target;
let ws: RawSocket;
beforeAll(async () => {
  target = await startTarget();
  ws = await target.socket();
});
afterAll(async () => {
  ws?.ws.close();
  await target?.close();
});

const SEVEN_MIB = "x".repeat(7 * 1024 * 1024);

async function call(id: string, method: string, params?: unknown) {
  ws.request(id, method, params);
  return (await ws.response(id)) as Awaited<ReturnType<RawSocket["response"]>> & {
    payload: { hash: string; raw: string | null };
    error?: { code: string; message: string; details?: { problems?: string[] } };
  };
}

const problemsOf = (res: Awaited<ReturnType<typeof call>>) =>
  [res.error?.message ?? "", ...(res.error?.details?.problems ?? [])].join("\n");

describe("config size caps", () => {
  it("config.patch with a 7 MiB value is refused, the file is untouched, config.get stays small", async () => {
    const file = path.join(target.stateDir, "openclaw.json");
    const original = readFileSync(file, "utf8");
    const { hash } = (await call("g0", "config.get")).payload;
    const res = await call("p1", "config.patch", {
      baseHash: hash,
      patch: { agents: { defaults: { workspace: SEVEN_MIB } } },
    });
    expect(res.ok).toBe(false);
    expect(res.error?.code).toBe("INVALID_REQUEST");
    expect(problemsOf(res)).toContain(`${MAX_CONFIG_BYTES}-byte (1 MiB) limit`);
    expect(readFileSync(file, "utf8")).toBe(original);

    const before = rssMiB(target.gw.pid);
    for (let i = 0; i < 4; i++) {
      const got = await call(`g${i + 1}`, "config.get");
      expect(got.payload.hash).toBe(hash);
      expect(JSON.stringify(got.payload).length).toBeLessThan(64 * 1024);
    }
    console.log(
      `4 × config.get after the refused 7 MiB value: RSS ${before.toFixed(0)} → ${rssMiB(target.gw.pid).toFixed(0)} MiB`,
    );
  });

  it.each([
    [
      "config.patch",
      (hash: string, v: string) => ({ baseHash: hash, patch: { agents: { defaults: { workspace: v } } } }),
    ],
    [
      "config.set",
      (hash: string, v: string) => ({
        baseHash: hash,
        config: { gateway: { mode: "local" }, agents: { defaults: { workspace: v } } },
      }),
    ],
    [
      "config.apply",
      (hash: string, v: string) => ({
        baseHash: hash,
        raw: JSON.stringify({ agents: { defaults: { workspace: v } } }),
      }),
    ],
  ])(
    "%s with one value over the per-value limit is refused naming the key and the limit",
    async (method, params) => {
      const { hash } = (await call(`h-${method}`, "config.get")).payload;
      const res = await call(`w-${method}`, method, params(hash, "y".repeat(MAX_CONFIG_VALUE_BYTES + 1)));
      expect(res.ok).toBe(false);
      expect(problemsOf(res)).toContain(
        `agents.defaults.workspace: value is ${MAX_CONFIG_VALUE_BYTES + 1} bytes`,
      );
      expect(problemsOf(res)).toContain(`${MAX_CONFIG_VALUE_BYTES}-byte (64 KiB) limit`);
    },
  );

  it("config.apply with raw text over 1 MiB (many small values) is refused before parsing", async () => {
    const { hash } = (await call("h-big", "config.get")).payload;
    const env = Object.fromEntries(Array.from({ length: 40_000 }, (_, i) => [`VAR_${i}`, "v".repeat(20)]));
    const res = await call("a-big", "config.apply", { baseHash: hash, raw: JSON.stringify({ env }) });
    expect(res.ok).toBe(false);
    expect(problemsOf(res)).toContain("(1 MiB) limit");
  });
});

describe("config size caps without a gateway", () => {
  it("`openclaw config set` with an oversized value fails and leaves the file as it was", async () => {
    const stateDir = tempDir("openclaw-security-cli-");
    const file = path.join(stateDir, "openclaw.json");
    writeFileSync(file, JSON.stringify({ gateway: { mode: "local" } }));
    // argv caps one argument at 128 KiB, so the CLI attack is the per-value limit.
    const value = "z".repeat(100 * 1024);
    const result = await runCli(
      ["config", "set", "agents.defaults.workspace", value],
      testEnv({ OPENCLAW_STATE_DIR: stateDir }),
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${MAX_CONFIG_VALUE_BYTES}-byte (64 KiB) limit`);
    expect(JSON.parse(readFileSync(file, "utf8"))).toEqual({ gateway: { mode: "local" } });
  });

  it("a config file over 1 MiB is refused at start with an error naming the limit", async () => {
    const stateDir = tempDir("openclaw-security-load-");
    writeFileSync(
      path.join(stateDir, "openclaw.json"),
      JSON.stringify({ gateway: { mode: "local" }, agents: { defaults: { workspace: SEVEN_MIB } } }),
    );
    const started = startGateway(
      ["--port", "0"],
      testEnv({ OPENCLAW_STATE_DIR: stateDir, OPENCLAW_GATEWAY_TOKEN: "x".repeat(32) }),
    );
    await expect(started).rejects.toThrow(/over the 1048576-byte \(1 MiB\) limit for a config file/);
  });
});
