import { chmod, mkdir, mkdtemp, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, testEnv } from "../helpers/cli.js";

/**
 * `openclaw security audit` through the built CLI: each unsafe setting the red-team pass
 * used is flagged with its check id and a fix, and a safe setup has no critical finding.
 */
interface Report {
  summary: { critical: number; warn: number; info: number };
  findings: { checkId: string; severity: string; detail: string; remediation?: string }[];
}

const TOKEN = "f3a1c9e07b5d42a8e6c1b0d9a7f3e2c1";

async function stateWith(config: object): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "openclaw-audit-"));
  await writeFile(path.join(dir, "openclaw.json"), JSON.stringify(config), { mode: 0o600 });
  return dir;
}

async function audit(dir: string, ...args: string[]): Promise<Report> {
  const result = await runCli(["security", "audit", "--json", ...args], testEnv({ OPENCLAW_STATE_DIR: dir }));
  expect(result.stderr).toBe("");
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as Report;
}

const ids = (report: Report, severity?: string) =>
  report.findings.filter((f) => !severity || f.severity === severity).map((f) => f.checkId);

describe("openclaw security audit (built CLI)", () => {
  it("a loopback gateway with a strong token, pairing DMs and private files has no critical finding", async () => {
    const dir = await stateWith({ gateway: { mode: "local", auth: { token: TOKEN } } });
    const report = await audit(dir);
    expect(report.summary.critical).toBe(0);
    expect(ids(report)).toEqual([]);
  });

  it.each([
    ["no auth beyond loopback", { gateway: { mode: "local", bind: "lan" } }, [], "gateway.bind_no_auth"],
    [
      "no auth on a Fly machine started with --bind lan",
      { gateway: { mode: "local" } },
      ["--bind", "lan"],
      "gateway.bind_no_auth",
    ],
    [
      "a one-character token with --bind lan (config validation refuses it when the file binds lan)",
      { gateway: { mode: "local", auth: { token: "a" } } },
      ["--bind", "lan"],
      "gateway.token_too_short",
    ],
    [
      "a placeholder password",
      { gateway: { mode: "local", auth: { mode: "password", password: "changeme" } } },
      [],
      "gateway.password_placeholder_value",
    ],
    [
      'allowedOrigins "*" without auth',
      { gateway: { mode: "local", controlUi: { allowedOrigins: ["*"] } } },
      [],
      "gateway.control_ui.allowed_origins_wildcard",
    ],
    [
      "the OpenAI endpoint on without auth",
      { gateway: { mode: "local", http: { endpoints: { chatCompletions: { enabled: true } } } } },
      [],
      "gateway.http.no_auth",
    ],
    [
      "open DMs",
      {
        gateway: { mode: "local", auth: { token: TOKEN } },
        channels: { telegram: { botToken: "1:x", dmPolicy: "open", allowFrom: ["*"] } },
      },
      [],
      "channels.telegram.dm.open",
    ],
    [
      "exec reachable from any group",
      {
        gateway: { mode: "local", auth: { token: TOKEN } },
        channels: { discord: { token: "x", groupPolicy: "open" } },
      },
      [],
      "security.exposure.open_channels_with_exec",
    ],
  ])("flags %s as critical, with a fix", async (_name, config, args, checkId) => {
    const report = await audit(await stateWith(config), ...args);
    const finding = report.findings.find((f) => f.checkId === checkId);
    expect(finding, JSON.stringify(report.findings)).toMatchObject({ severity: "critical" });
    expect(finding!.remediation).toBeTruthy();
    expect(report.summary.critical).toBeGreaterThanOrEqual(1);
    // The report never repeats a secret back.
    expect(JSON.stringify(report)).not.toContain('changeme"');
  });

  it("a short token on loopback is a warning, not critical", async () => {
    const report = await audit(await stateWith({ gateway: { mode: "local", auth: { token: "abcdef123" } } }));
    expect(ids(report, "warn")).toEqual(["gateway.token_too_short"]);
    expect(report.summary.critical).toBe(0);
  });

  it("exec denied for the agent behind an open group is not flagged", async () => {
    const report = await audit(
      await stateWith({
        gateway: { mode: "local", auth: { token: TOKEN } },
        tools: { deny: ["exec"] },
        channels: { discord: { token: "x", groupPolicy: "open" } },
      }),
    );
    expect(ids(report)).not.toContain("security.exposure.open_channels_with_exec");
  });

  it("flags world-readable state files and --fix makes them private", async () => {
    const dir = await stateWith({ gateway: { mode: "local", auth: { token: TOKEN } } });
    const sessions = path.join(dir, "agents/main/sessions");
    await mkdir(sessions, { recursive: true });
    await writeFile(path.join(sessions, "s1.jsonl"), "{}\n", { mode: 0o644 });
    await chmod(path.join(dir, "openclaw.json"), 0o644);
    await chmod(path.join(dir, "agents"), 0o755);

    const before = await audit(dir);
    expect(ids(before, "critical")).toEqual(
      expect.arrayContaining(["fs.config.perms_world_readable", "fs.state_dir.perms_readable"]),
    );

    const fixed = await runCli(["security", "audit", "--fix"], testEnv({ OPENCLAW_STATE_DIR: dir }));
    expect(fixed.stdout).toContain("chmod 600");
    expect((await stat(path.join(dir, "openclaw.json"))).mode & 0o777).toBe(0o600);
    expect((await stat(path.join(sessions, "s1.jsonl"))).mode & 0o777).toBe(0o600);
    expect((await stat(path.join(dir, "agents"))).mode & 0o777).toBe(0o700);
    expect(ids(await audit(dir))).toEqual([]);
  });

  it("prints a readable report, and doctor runs the same checks", async () => {
    const dir = await stateWith({ gateway: { mode: "local", bind: "lan" } });
    const text = await runCli(["security", "audit"], testEnv({ OPENCLAW_STATE_DIR: dir }));
    expect(text.stdout).toMatch(/^OpenClaw security audit\nSummary: 1 critical, 0 warn, 0 info\n/);
    expect(text.stdout).toContain("CRITICAL\ngateway.bind_no_auth ");
    expect(text.stdout).toContain("Fix: Set OPENCLAW_GATEWAY_TOKEN");
    const doctor = await runCli(["doctor"], testEnv({ OPENCLAW_STATE_DIR: dir }));
    expect(doctor.stdout).toContain("ERROR security: gateway.bind_no_auth");
    expect(doctor.code).toBe(1);
  });
});
