/**
 * Attack: another process of the same user (any user, for cmdline) reads the running
 * gateway's /proc/<pid>/environ and /proc/<pid>/cmdline, which show what it was started
 * with: its provider key, gateway token and password. The gateway clears those bytes in its
 * own memory at start (infra/exec-strings.ts); where that is not possible it restarts
 * itself without them (infra/env-handoff.ts), forced here with OPENCLAW_SECRETS_REEXEC.
 * Either way the reads show none of the secrets and the gateway still uses them.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { GatewayClient } from "../../src/gateway/client.js";
import { startGateway, tempDir, testEnv } from "../helpers/cli.js";
import { useRunningGateways } from "../helpers/fake-model-gateways.js";

const SECRETS = {
  token: "gw-token-proc-3c9e1b7a5d",
  password: "gw-pass-proc-8f2a6d4c1e",
  anthropicKey: "sk-ant-api03-proc-7b1d9e3f",
  dbPassword: "pg-pass-proc-2b4d6f",
};

const { running } = useRunningGateways();

/** What another process sees of the gateway: its start environment and command line. */
function readFromOutside(pid: number): { environ: string[]; cmdline: string[] } {
  const split = (file: string) => readFileSync(`/proc/${pid}/${file}`, "utf8").split("\0");
  return { environ: split("environ"), cmdline: split("cmdline") };
}

describe.runIf(process.platform === "linux")("/proc/<pid>/environ and cmdline of the gateway", () => {
  it.each([
    ["cleared in place (no second start)", {}, /secrets cleared in place/],
    [
      "hidden by the re-exec fallback",
      { OPENCLAW_SECRETS_REEXEC: "1" },
      /secrets hidden by restarting without them \(not in place: OPENCLAW_SECRETS_REEXEC is set\)/,
    ],
  ])("hold none of its secrets: %s", async (_how, extraEnv, pathLine) => {
    const env = testEnv({
      OPENCLAW_STATE_DIR: tempDir(),
      OPENCLAW_LOG_LEVEL: "debug",
      OPENCLAW_GATEWAY_PASSWORD: SECRETS.password,
      ANTHROPIC_API_KEY: SECRETS.anthropicKey,
      DATABASE_URL: `postgres://app:${SECRETS.dbPassword}@db.internal:5432/app`,
      ...extraEnv,
    });
    const gw = await startGateway(["--allow-unconfigured", "--port", "0", `--token=${SECRETS.token}`], env);
    running.push(gw);
    const [line] = await gw.waitForLine(/^\[gateway\] secrets (cleared|hidden) .*$/);
    expect(line).toMatch(pathLine);

    const seen = readFromOutside(gw.pid);
    // The reads worked: the non-secret variables and arguments are there.
    expect(seen.environ).toContain(`OPENCLAW_STATE_DIR=${env.OPENCLAW_STATE_DIR}`);
    expect(seen.cmdline).toEqual(expect.arrayContaining(["gateway", "--allow-unconfigured", "--port", "0"]));
    for (const [name, secret] of Object.entries(SECRETS)) {
      expect(seen.environ.join("\n").includes(secret), `${name} in environ`).toBe(false);
      expect(seen.cmdline.join(" ").includes(secret), `${name} in cmdline`).toBe(false);
    }
    expect(
      seen.environ.some((e) => /^(OPENCLAW_GATEWAY_PASSWORD|ANTHROPIC_API_KEY|DATABASE_URL)=/.test(e)),
    ).toBe(false);
    expect(seen.cmdline.some((a) => a.startsWith("--token"))).toBe(false);
    // Nothing of it in the output either.
    const { stdout, stderr } = gw.output();
    for (const secret of Object.values(SECRETS)) expect(`${stdout}${stderr}`).not.toContain(secret);

    // The gateway still holds its token (from the cleared command line): a client gets in with it.
    const { client } = await GatewayClient.connect({
      url: `ws://127.0.0.1:${gw.port}`,
      token: SECRETS.token,
    });
    await client.close();
  });
});
