import { execFile } from "node:child_process";
import { mkdtemp, readFile, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import JSON5 from "json5";
import { describe, expect, it } from "vitest";

const CLI = path.resolve(import.meta.dirname, "../../dist/index.js");
const run = promisify(execFile);

async function cli(stateDir: string, ...args: string[]) {
  const {
    OPENCLAW_GATEWAY_TOKEN: _t,
    OPENCLAW_CONFIG_PATH: _c,
    DISCORD_BOT_TOKEN: _d,
    ...rest
  } = process.env;
  // A model key, so doctor's model-keys check passes: these tests are about the config itself.
  const env = { ...rest, OPENCLAW_STATE_DIR: stateDir, ANTHROPIC_API_KEY: "sk-ant-doctor-test" };
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { env });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

async function stateWith(config: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "openclaw-e2e-start-"));
  await writeFile(path.join(dir, "openclaw.json"), config, { mode: 0o600 });
  return dir;
}

describe("invalid config at start (built CLI)", () => {
  it("the gateway refuses to start and lists every problem", async () => {
    const dir = await stateWith('{ gateway: { mode: "local", port: "x", bnd: "lan" }, agnets: {} }');
    const result = await cli(dir, "gateway", "--port", "0");
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('gateway.port: expected a number (got "x")');
    expect(result.stderr).toContain("gateway.bnd: unknown key (did you mean `bind`?)");
    expect(result.stderr).toContain("agnets: unknown key (did you mean `agents`?)");
    expect(result.stderr).toContain("the gateway does not start on an invalid config");
  });

  it("config validate lists the same problems and exits 1", async () => {
    const dir = await stateWith("{ gateway: { port: 0 } }");
    const result = await cli(dir, "config", "validate");
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("gateway.port: must be ≥ 1 (got 0)");
  });
});

describe("openclaw doctor --fix (built CLI)", () => {
  it("migrates legacy keys and strips unknown ones after a backup", async () => {
    const legacy =
      '{ agent: { model: "anthropic/claude-opus-4-6" }, gateway: { mode: "local", token: "abcdef123", reload: { mode: "hot" } }, wizzard: {} }';
    const dir = await stateWith(legacy);
    const report = await cli(dir, "doctor");
    expect(report.code).toBe(1);
    expect(report.stdout).toContain("moved agent.model to agents.defaults.model.primary (doctor --fix)");

    const fixed = await cli(dir, "doctor", "--fix");
    expect(fixed.stdout).toContain("fixed: removed unknown key wizzard");
    expect(fixed.code).toBe(0);
    const file = path.join(dir, "openclaw.json");
    const config = JSON5.parse(await readFile(file, "utf8"));
    expect(config).toMatchObject({
      agents: { defaults: { model: { primary: "anthropic/claude-opus-4-6" } } },
      gateway: { mode: "local", auth: { token: "abcdef123" }, reload: { mode: "hybrid" } },
    });
    expect(config.wizzard).toBeUndefined();
    expect(await readFile(`${file}.bak`, "utf8")).toBe(legacy);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await cli(dir, "config", "validate")).code).toBe(0);
  });
});

describe("a config written for OpenClaw (built CLI)", () => {
  // tts and gateway.tls are in OpenClaw 2026.9.6's schema and not implemented here.
  const openClawConfig =
    '{ gateway: { mode: "local", tls: { enabled: false } }, tts: { auto: "off" }, wizzard: {} }';

  it("config validate and doctor name each OpenClaw-only key once; doctor --fix keeps them", async () => {
    const dir = await stateWith(openClawConfig.replace(", wizzard: {}", ""));
    const validate = await cli(dir, "config", "validate");
    expect(validate.code).toBe(0);
    expect(validate.stdout).toContain(
      "warning: gateway.tls: accepted for OpenClaw compatibility, not supported yet",
    );
    expect(validate.stdout.match(/warning: tts: accepted for OpenClaw compatibility/g)).toHaveLength(1);
    const doctor = await cli(dir, "doctor", "--fix");
    expect(doctor.stdout).toContain(
      "warn  config: tts: accepted for OpenClaw compatibility, not supported yet",
    );
    const config = JSON5.parse(await readFile(path.join(dir, "openclaw.json"), "utf8"));
    expect(config.tts).toEqual({ auto: "off" });
  });

  it("starts the gateway with one warning per such key; a key neither knows still stops it", async () => {
    const refused = await cli(await stateWith(openClawConfig), "gateway", "--port", "0");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("wizzard: unknown key (did you mean `wizard`?)");

    const { startGateway, testEnv } = await import("../helpers/cli.js");
    const dir = await stateWith(openClawConfig.replace(", wizzard: {}", ""));
    const gateway = await startGateway(["--port", "0"], testEnv({ OPENCLAW_STATE_DIR: dir }));
    try {
      const { stdout, stderr } = gateway.output();
      const lines = `${stdout}\n${stderr}`.split("\n");
      expect(
        lines.filter((l) => l.includes("config key tts: accepted for OpenClaw compatibility")),
      ).toHaveLength(1);
      expect(lines.filter((l) => l.includes("config key gateway.tls: accepted"))).toHaveLength(1);
    } finally {
      await gateway.stop();
    }
  });
});
