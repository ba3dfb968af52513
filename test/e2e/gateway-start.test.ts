import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { GatewayClient } from "../../src/gateway/client.js";
import { type RunningGateway, runCli, startGateway, tempDir, testEnv } from "../helpers/cli.js";

const TOKEN = "e2e-token-0123456789";
const running: RunningGateway[] = [];

async function start(args: string[], env: NodeJS.ProcessEnv) {
  const gw = await startGateway(args, env);
  running.push(gw);
  return gw;
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((gw) => gw.stop("SIGKILL")));
});

function lockFiles(stateDir: string): string[] {
  return readdirSync(stateDir).filter((name) => /^gateway\.[0-9a-f]{8}\.lock$/.test(name));
}

describe("openclaw gateway: starting as the Fly.io guide does", () => {
  it("prints the exact listening line with the real host, port and pid", async () => {
    const stateDir = tempDir();
    const gw = await start(
      ["--allow-unconfigured", "--port", "0", "--bind", "lan"],
      testEnv({ OPENCLAW_STATE_DIR: stateDir, OPENCLAW_GATEWAY_TOKEN: TOKEN }),
    );
    const line = gw
      .output()
      .stdout.split("\n")
      .find((l) => l.includes("listening on"));
    expect(line).toBe(`[gateway] listening on ws://0.0.0.0:${gw.port} (PID ${gw.proc.pid})`);
    expect(gw.port).toBeGreaterThan(0);
  });

  it("refuses a non-loopback bind without a token, saying how to set one", async () => {
    const stateDir = tempDir();
    const result = await runCli(
      ["gateway", "--allow-unconfigured", "--port", "0", "--bind", "lan"],
      testEnv({ OPENCLAW_STATE_DIR: stateDir }),
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("Refusing to bind gateway to lan without auth.");
    expect(result.stderr).toContain("OPENCLAW_GATEWAY_TOKEN");
    expect(result.stdout).not.toContain("listening on");
  });

  it("bind=auto picks lan inside a container (Fly machine) and says why", async () => {
    const stateDir = tempDir();
    const refused = await runCli(
      ["gateway", "--allow-unconfigured", "--port", "0", "--bind", "auto"],
      testEnv({ OPENCLAW_STATE_DIR: stateDir, FLY_MACHINE_ID: "abc123" }),
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("Refusing to bind gateway to auto without auth.");
    const gw = await start(
      ["--port", "0", "--bind", "auto"],
      testEnv({ OPENCLAW_STATE_DIR: stateDir, FLY_MACHINE_ID: "abc123", OPENCLAW_GATEWAY_TOKEN: TOKEN }),
    );
    expect(gw.host).toBe("0.0.0.0");
    expect(gw.output().stdout).toContain(
      "[gateway] bind=auto chose lan: running in Fly.io machine\n[gateway] listening on",
    );
  });

  it("without a config refuses to start; --allow-unconfigured writes a 0600 config that later starts need", async () => {
    const stateDir = tempDir();
    const env = testEnv({ OPENCLAW_STATE_DIR: stateDir });
    const refused = await runCli(["gateway", "--port", "0"], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("Missing config");
    expect(refused.stderr).toContain("--allow-unconfigured");

    const first = await start(["--allow-unconfigured", "--port", "0"], env);
    const configPath = path.join(stateDir, "openclaw.json");
    expect(first.output().stdout).toContain(`wrote a minimal config to ${configPath}`);
    expect(statSync(configPath).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(configPath, "utf8")).gateway.mode).toBe("local");
    expect(await first.stop()).toEqual({ code: 0, signal: null });

    const second = await start(["--port", "0"], env);
    expect(second.host).toBe("127.0.0.1");
    await second.waitForLine(
      /^\[gateway\] next: set a model key \(ANTHROPIC_API_KEY, OPENAI_API_KEY or GOOGLE_API_KEY\)/,
    );
  });

  it("refuses a config whose gateway.mode is not local, naming the fix", async () => {
    const stateDir = tempDir();
    writeFileSync(path.join(stateDir, "openclaw.json"), '{ gateway: { mode: "remote" } }');
    const result = await runCli(["gateway", "--port", "0"], testEnv({ OPENCLAW_STATE_DIR: stateDir }));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("Gateway start blocked: set gateway.mode=local (current: remote)");
  });

  it("refuses an invalid config, listing every problem with its path", async () => {
    const stateDir = tempDir();
    writeFileSync(
      path.join(stateDir, "openclaw.json"),
      '{ gateway: { mode: "local", port: "abc", bind: "everywhere" }, bogus: 1 }',
    );
    const result = await runCli(["gateway"], testEnv({ OPENCLAW_STATE_DIR: stateDir }));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("gateway.port:");
    expect(result.stderr).toContain('(got "abc")');
    expect(result.stderr).toContain("gateway.bind:");
    expect(result.stderr).toContain("bogus: unknown key");
  });

  it("port precedence: --port over OPENCLAW_GATEWAY_PORT over gateway.port", async () => {
    const stateDir = tempDir();
    const env = testEnv({ OPENCLAW_STATE_DIR: stateDir, OPENCLAW_GATEWAY_PORT: "not-a-port" });
    writeFileSync(path.join(stateDir, "openclaw.json"), '{ gateway: { mode: "local", port: 1 } }');
    const bad = await runCli(["gateway"], env);
    expect(bad.stderr).toContain('OPENCLAW_GATEWAY_PORT must be a port number 0-65535 (got "not-a-port")');
    const gw = await start(["--port", "0"], env);
    expect(gw.port).not.toBe(1);
  });
});

describe("openclaw gateway: lock and lifecycle", () => {
  it("a second gateway on the same state dir refuses with the owner's pid and port; --force takes over", async () => {
    const stateDir = tempDir();
    const env = testEnv({ OPENCLAW_STATE_DIR: stateDir });
    const first = await start(["--allow-unconfigured", "--port", "0"], env);
    const second = await runCli(["gateway", "--port", "0"], env);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`gateway already running (pid ${first.pid}, port ${first.port})`);

    const third = await start(["--port", "0", "--force"], env);
    expect(await first.exited).toEqual({ code: 0, signal: null });
    expect(third.output().stderr).toContain(`--force: stopping the running gateway (pid ${first.pid}`);
  });

  it("after kill -9 the stale lock is reclaimed with one log line and the restart succeeds", async () => {
    const stateDir = tempDir();
    const env = testEnv({ OPENCLAW_STATE_DIR: stateDir });
    const first = await start(["--allow-unconfigured", "--port", "0"], env);
    expect(await first.stop("SIGKILL")).toEqual({ code: null, signal: "SIGKILL" });
    expect(lockFiles(stateDir)).toHaveLength(1);

    const second = await start(["--port", "0"], env);
    const reclaimed = second
      .output()
      .stdout.split("\n")
      .filter((l) => l.includes("reclaimed stale lock"));
    expect(reclaimed).toEqual([
      expect.stringMatching(
        new RegExp(
          `^\\[gateway\\] reclaimed stale lock gateway\\.[0-9a-f]{8}\\.lock \\(pid ${first.pid}: process not running\\)$`,
        ),
      ),
    ]);
  });

  it("a lock naming this very pid (container restart reusing the pid) is stale", async () => {
    const stateDir = tempDir();
    const env = testEnv({ OPENCLAW_STATE_DIR: stateDir });
    const first = await start(["--allow-unconfigured", "--port", "0"], env);
    await first.stop("SIGKILL");
    const [lockName] = lockFiles(stateDir);
    const lockPath = path.join(stateDir, lockName!);
    // A lock from an earlier boot of the machine (as after a Fly machine restart), with a pid that is alive now.
    const payload = JSON.parse(readFileSync(lockPath, "utf8"));
    writeFileSync(
      lockPath,
      JSON.stringify({ ...payload, pid: process.pid, bootId: "00000000-0000-0000-0000-000000000000" }),
    );
    const second = await start(["--port", "0"], env);
    expect(second.output().stdout).toContain(`(pid ${process.pid}: written before a reboot)`);
  });

  it("SIGTERM sends shutdown, closes clients with 1012, removes the lock and exits 0", async () => {
    const stateDir = tempDir();
    const gw = await start(
      ["--allow-unconfigured", "--port", "0"],
      testEnv({ OPENCLAW_STATE_DIR: stateDir }),
    );
    const { client } = await GatewayClient.connect({ url: `ws://127.0.0.1:${gw.port}` });
    const shutdown = new Promise((resolve) =>
      client.onEvent((e) => e.event === "shutdown" && resolve(e.payload)),
    );
    const started = Date.now();
    const exit = await gw.stop("SIGTERM");
    expect(exit).toEqual({ code: 0, signal: null });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await shutdown).toEqual({ reason: "SIGTERM" });
    await expect(client.request("health")).rejects.toThrow(/closed \(1012/);
    expect(lockFiles(stateDir)).toEqual([]);
    expect(gw.output().stdout).toContain("[gateway] stopped cleanly");
  });

  it("--version prints the version", async () => {
    const result = await runCli(["--version"], testEnv());
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toMatch(/^\d{4}\.\d+\.\d+$/);
  });

  it("writes JSON-lines logs that logs.tail returns, never containing the token", async () => {
    const stateDir = tempDir();
    const gw = await start(
      ["--allow-unconfigured", "--port", "0", "--token", TOKEN, "--verbose"],
      testEnv({ OPENCLAW_STATE_DIR: stateDir }),
    );
    const result = await runCli(
      [
        "gateway",
        "call",
        "logs.tail",
        "--url",
        `ws://127.0.0.1:${gw.port}`,
        "--token",
        TOKEN,
        "--params",
        '{"limit":50}',
      ],
      testEnv({ OPENCLAW_STATE_DIR: stateDir }),
    );
    expect(result.code).toBe(0);
    const tail = JSON.parse(result.stdout) as { file: string; lines: string[]; cursor: number };
    expect(tail.file).toMatch(/logs\/openclaw-\d{4}-\d{2}-\d{2}\.log$/);
    const records = tail.lines.map((l) => JSON.parse(l));
    expect(records).toContainEqual(
      expect.objectContaining({
        level: "info",
        subsystem: "gateway",
        msg: `listening on ws://127.0.0.1:${gw.port} (PID ${gw.pid})`,
      }),
    );
    expect(existsSync(tail.file)).toBe(true);
    expect(readFileSync(tail.file, "utf8")).not.toContain(TOKEN);
    expect(gw.output().stdout + gw.output().stderr).not.toContain(TOKEN);
  });
});
