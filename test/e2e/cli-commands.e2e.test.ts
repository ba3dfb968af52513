import { execFileSync } from "node:child_process";
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import JSON5 from "json5";
import { describe, expect, it } from "vitest";
import { freePort, runCli, startGateway, tempDir, testEnv } from "../helpers/cli.js";

const LEGACY_STATE = path.resolve(import.meta.dirname, "../fixtures/openclaw-state/legacy");
const TOKEN = "cli-e2e-token-0123456789";

function stateWith(config: object): string {
  const dir = tempDir();
  writeFileSync(path.join(dir, "openclaw.json"), JSON.stringify(config), { mode: 0o600 });
  return dir;
}

const readConfig = (dir: string) => JSON5.parse(readFileSync(path.join(dir, "openclaw.json"), "utf8"));

describe("everyday commands against a running gateway (built CLI)", () => {
  it("gateway status/probe/health, logs, sessions show/reset/delete, message send, gateway stop", async () => {
    const dir = stateWith({ gateway: { mode: "local", auth: { token: TOKEN } } });
    cpSync(LEGACY_STATE, dir, { recursive: true });
    const port = await freePort();
    const env = testEnv({
      OPENCLAW_STATE_DIR: dir,
      OPENCLAW_GATEWAY_TOKEN: TOKEN,
      OPENCLAW_GATEWAY_PORT: String(port),
    });
    const gateway = await startGateway(["--port", String(port)], env);
    try {
      const status = await runCli(["gateway", "status", "--json"], env);
      expect(status.code).toBe(0);
      expect(JSON.parse(status.stdout)).toMatchObject({
        local: { pid: gateway.pid, port },
        rpc: { ok: true },
      });
      const probe = await runCli(["gateway", "probe"], env);
      expect(probe.stdout).toContain(`reachable: ws://127.0.0.1:${port}`);
      const wrongToken = await runCli(
        ["gateway", "probe", "--json", "--token", "wrong-token-0123456789"],
        env,
      );
      expect(wrongToken.code).toBe(1);
      expect(JSON.parse(wrongToken.stdout)).toMatchObject({ ok: false });
      const health = await runCli(["gateway", "health", "--json"], env);
      expect(JSON.parse(health.stdout)).toMatchObject({ status: expect.any(String) });

      const logs = await runCli(["logs", "--json", "--limit", "5"], env);
      expect(logs.code).toBe(0);
      const events = logs.stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l));
      expect(events[0]).toMatchObject({ type: "meta" });
      expect(events.slice(1).every((e) => e.type === "log" && typeof e.message === "string")).toBe(true);
      expect(events.length).toBeGreaterThan(1);
      const plain = await runCli(["logs", "--plain", "--utc"], env);
      expect(plain.stdout).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \w+\s+\[gateway\] /m);
      expect((await runCli(["logs", "--interval", "5"], env)).stderr).toContain(
        "--interval must be a whole number ≥ 100",
      );

      const shown = JSON.parse((await runCli(["sessions", "show", "main", "--json"], env)).stdout);
      expect(shown.sessionKey).toBe("agent:main:main");
      expect(shown.messages.length).toBeGreaterThan(0);
      const reset = await runCli(["sessions", "reset", "main", "--json"], env);
      const resetId = JSON.parse(reset.stdout).results[0].sessionId;
      expect(resetId).not.toBe(shown.sessionId);
      const deleted = await runCli(["sessions", "delete", "agent:main:fixture-two"], env);
      expect(deleted.stdout).toBe("deleted agent:main:fixture-two\n");
      const left = JSON.parse((await runCli(["sessions", "--json"], env)).stdout);
      expect(left.sessions.map((s: { key: string }) => s.key)).toEqual(["agent:main:main"]);

      const send = await runCli(
        ["message", "send", "--channel", "telegram", "--target", "123", "-m", "hi"],
        env,
      );
      expect(send.code).toBe(1);
      expect(send.stderr).toContain("channel telegram is not running: enable channels.telegram");
      const dry = await runCli(["message", "send", "-t", "user:42", "-m", "hi", "--dry-run"], env);
      expect(JSON.parse(dry.stdout)).toMatchObject({
        method: "send",
        params: { to: "user:42", message: "hi" },
      });

      const stop = await runCli(["gateway", "stop"], env);
      expect(stop.stdout).toBe(`gateway (pid ${gateway.pid}) stopped\n`);
      expect((await gateway.exited).code).toBe(0);
      const after = await runCli(["gateway", "status", "--json"], env);
      expect(after.code).toBe(1);
      expect(JSON.parse(after.stdout).local).toBeNull();
    } finally {
      await gateway.stop();
    }
  });

  it("gateway restart makes the gateway exit with 75, for its supervisor to start it again", async () => {
    const dir = stateWith({ gateway: { mode: "local" } });
    const port = await freePort();
    const env = testEnv({ OPENCLAW_STATE_DIR: dir, OPENCLAW_GATEWAY_PORT: String(port) });
    const gateway = await startGateway(["--port", String(port)], env);
    try {
      const restart = await runCli(["gateway", "restart", "--json"], env);
      expect(JSON.parse(restart.stdout)).toMatchObject({ ok: true, pid: gateway.pid, signal: "SIGUSR1" });
      expect((await gateway.exited).code).toBe(75);
    } finally {
      await gateway.stop();
    }
  });
});

describe("config commands (built CLI, no gateway: edits the file)", () => {
  const offline = async (dir: string) =>
    testEnv({ OPENCLAW_STATE_DIR: dir, OPENCLAW_GATEWAY_PORT: String(await freePort()) });

  it("agents list|add|delete", async () => {
    const dir = stateWith({ gateway: { mode: "local" } });
    const env = await offline(dir);
    expect(JSON.parse((await runCli(["agents", "list", "--json"], env)).stdout)).toEqual([
      { id: "main", isDefault: true },
    ]);
    const add = await runCli(
      ["agents", "add", "Work", "--model", "openai/gpt-5", "--bind", "telegram:work", "--json"],
      env,
    );
    expect(add.code).toBe(0);
    expect(JSON.parse(add.stdout)).toMatchObject({ id: "work", name: "Work", model: "openai/gpt-5" });
    expect(readConfig(dir)).toMatchObject({
      agents: {
        list: [
          { id: "main", default: true },
          { id: "work", model: "openai/gpt-5" },
        ],
      },
      bindings: [{ agentId: "work", match: { channel: "telegram", accountId: "work" } }],
    });
    const listed = await runCli(["agents", "list", "--bindings"], env);
    expect(listed.stdout).toContain("work             Work  model openai/gpt-5  routes telegram:work");
    expect((await runCli(["agents", "add", "work"], env)).stderr).toContain("agent work already exists");
    const del = await runCli(["agents", "delete", "work", "--json"], env);
    expect(JSON.parse(del.stdout)).toEqual({ ok: true, id: "work", removedBindings: 1 });
    expect(readConfig(dir).bindings).toEqual([]);
    expect((await runCli(["agents", "delete", "nope"], env)).stderr).toContain(
      "no agent nope in agents.list",
    );
  });

  it("channels list|add|remove", async () => {
    const dir = stateWith({ gateway: { mode: "local" } });
    const env = await offline(dir);
    expect((await runCli(["channels", "list"], env)).stdout).toContain("no channels configured");
    const add = await runCli(["channels", "add", "--channel", "telegram", "--token", "123:abc"], env);
    expect(add.code).toBe(0);
    expect(readConfig(dir).channels).toEqual({ telegram: { enabled: true, botToken: "123:abc" } });
    expect(JSON.parse((await runCli(["channels", "list", "--json"], env)).stdout).channels).toEqual([
      { channel: "telegram", configured: true, enabled: true, accounts: ["default"] },
    ]);
    expect((await runCli(["channels", "add", "--channel", "telegarm"], env)).stderr).toContain(
      'unknown channel "telegarm"',
    );
    await runCli(["channels", "remove", "--channel", "telegram"], env);
    expect(readConfig(dir).channels.telegram.enabled).toBe(false);
    await runCli(["channels", "remove", "--channel", "telegram", "--delete"], env);
    expect(readConfig(dir).channels).toEqual({});
  });

  it("models set|fallbacks|status and config patch", async () => {
    const dir = stateWith({ gateway: { mode: "local" } });
    const env = { ...(await offline(dir)), ANTHROPIC_API_KEY: "sk-ant-e2e-0123456789" };
    await runCli(["models", "set", "anthropic/claude-sonnet-4-6"], env);
    await runCli(["models", "fallbacks", "add", "openai/gpt-5"], env);
    expect((await runCli(["models", "fallbacks", "add", "openai/gpt-5"], env)).stderr).toContain(
      "already a fallback",
    );
    expect(readConfig(dir).agents.defaults.model).toEqual({
      primary: "anthropic/claude-sonnet-4-6",
      fallbacks: ["openai/gpt-5"],
    });
    const status = await runCli(["models", "status", "--json"], env);
    expect(status.code).toBe(1);
    expect(JSON.parse(status.stdout)).toEqual({
      defaultModel: "anthropic/claude-sonnet-4-6",
      fallbacks: ["openai/gpt-5"],
      providers: [
        { provider: "anthropic", keys: ["env ANTHROPIC_API_KEY"] },
        { provider: "openai", keys: [] },
      ],
    });
    expect(status.stdout).not.toContain("sk-ant-e2e");
    expect(JSON.parse((await runCli(["models", "fallbacks", "list", "--json"], env)).stdout)).toEqual({
      fallbacks: ["openai/gpt-5"],
    });
    await runCli(["models", "fallbacks", "clear"], env);
    expect(readConfig(dir).agents.defaults.model).toEqual({ primary: "anthropic/claude-sonnet-4-6" });

    const patchFile = path.join(dir, "patch.json5");
    writeFileSync(patchFile, "{ gateway: { port: 18790 }, agents: null }");
    const dry = await runCli(["config", "patch", "--file", patchFile, "--dry-run", "--json"], env);
    expect(JSON.parse(dry.stdout)).toMatchObject({ ok: true, dryRun: true });
    expect(readConfig(dir).gateway.port).toBeUndefined();
    expect((await runCli(["config", "patch", "--file", patchFile], env)).code).toBe(0);
    expect(readConfig(dir)).toMatchObject({ gateway: { mode: "local", port: 18790 } });
    expect(readConfig(dir).agents).toBeUndefined();
    writeFileSync(patchFile, "{ gateway: { port: 0 } }");
    const bad = await runCli(["config", "patch", "--file", patchFile], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("gateway.port: must be ≥ 1 (got 0)");
  });
});

describe("global options and completion (built CLI)", () => {
  it("--profile and --dev pick ~/.openclaw-<name>; --container and a bad --log-level are refused", async () => {
    const home = tempDir();
    const env = testEnv({ OPENCLAW_HOME: home, OPENCLAW_STATE_DIR: undefined });
    expect((await runCli(["--profile", "work", "config", "file"], env)).stdout).toBe(
      `${path.join(home, ".openclaw-work", "openclaw.json")}\n`,
    );
    expect((await runCli(["--dev", "config", "file"], env)).stdout).toBe(
      `${path.join(home, ".openclaw-dev", "openclaw.json")}\n`,
    );
    const custom = path.join(home, "elsewhere");
    expect(
      (await runCli(["--profile", "work", "config", "file"], { ...env, OPENCLAW_STATE_DIR: custom })).stdout,
    ).toBe(`${path.join(custom, "openclaw.json")}\n`);
    const container = await runCli(["--container", "oc", "status"], env);
    expect(container.code).toBe(2);
    expect(container.stderr).toContain("--container is not supported");
    expect((await runCli(["--log-level", "loud", "status"], env)).stderr).toContain(
      "--log-level loud: use one of",
    );
  });

  it("completion bash|zsh|fish come from the command tree", async () => {
    const env = testEnv();
    const bash = await runCli(["completion", "bash"], env);
    expect(bash.stdout).toMatch(/"gateway"\) words="[^"]*\bstatus\b[^"]*\brestart\b/);
    expect(bash.stdout).toMatch(/"models fallbacks"\) words="[^"]*\badd\b/);
    expect(bash.stdout).toContain("complete -o default -F _openclaw_completion openclaw");
    // Run by bash itself: `openclaw gateway st<TAB>` offers the real subcommands.
    const script = path.join(tempDir(), "openclaw.bash");
    writeFileSync(script, bash.stdout);
    const offered = execFileSync(
      "bash",
      [
        "-c",
        `source ${script}; COMP_WORDS=(openclaw gateway st); COMP_CWORD=2; _openclaw_completion; echo "\${COMPREPLY[*]}"`,
      ],
      { encoding: "utf8" },
    );
    expect(offered.trim().split(" ").sort()).toEqual(["status", "stop"]);
    expect((await runCli(["completion", "zsh"], env)).stdout).toContain("bashcompinit");
    expect((await runCli(["completion", "fish"], env)).stdout).toContain(
      "complete -c openclaw -f -n \"test (__openclaw_path) = 'sessions'\" -a 'show'",
    );
    expect((await runCli(["completion", "tcsh"], env)).stderr).toContain("use bash, zsh, fish");
  });
});
