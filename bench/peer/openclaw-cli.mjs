// Runs the real OpenClaw CLI against a gateway URL, with its own client state dir (so it
// never reads the gateway's files: it must learn everything over the wire).
import { execFile } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

/** Longest one CLI command may take (an agent turn against the fake model is well under it). */
const CLI_TIMEOUT_MS = 120_000;

/** Resolves { code, stdout, stderr } (never throws). */
export function runOpenClawCli(pair, url, argv, work) {
  const clientDir = path.join(work, "cli-client");
  mkdirSync(clientDir, { recursive: true });
  const configPath = path.join(clientDir, "openclaw.json");
  writeFileSync(
    configPath,
    JSON.stringify({ gateway: { mode: "remote", remote: { url, token: pair.token } } }),
  );
  const env = {
    ...process.env,
    OPENCLAW_STATE_DIR: clientDir,
    OPENCLAW_CONFIG_PATH: configPath,
    OPENCLAW_GATEWAY_URL: url,
    OPENCLAW_GATEWAY_TOKEN: pair.token,
    NO_COLOR: "1",
    FORCE_COLOR: "0",
  };
  return new Promise((resolve) => {
    execFile(
      pair.node,
      [pair.install.entry, ...argv],
      { env, cwd: work, timeout: CLI_TIMEOUT_MS, maxBuffer: 16 << 20 },
      (error, stdout, stderr) =>
        resolve({ code: error ? (error.code ?? 1) : 0, stdout: String(stdout), stderr: String(stderr) }),
    );
  });
}
