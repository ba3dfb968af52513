import { type ChildProcessByStdio, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import type { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDockerfile, readFlyConfig, readRepoFile, repoRoot, splitCommand } from "./deploy-files.js";

/** A port nothing listens on right now (the OS picks it; we release it for the gateway). */
async function findFreePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "0.0.0.0");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, "close");
  return port;
}

function hasIpv6Loopback(): boolean {
  return Object.values(os.networkInterfaces()).some((addrs) => addrs?.some((a) => a.address === "::1"));
}

/** Resolves with the first stdout line matching `pattern`; rejects if the process exits first. */
function waitForLine(child: ChildProcessByStdio<null, Readable, Readable>, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffered = "";
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString("utf8");
      const line = buffered.split("\n").find((l) => pattern.test(l));
      if (line !== undefined) {
        child.stdout.off("data", onData);
        child.off("exit", onExit);
        resolve(line);
      }
    };
    const onExit = (code: number | null) =>
      reject(new Error(`gateway exited (code ${code}) before printing ${pattern}:\n${buffered}`));
    child.stdout.on("data", onData);
    child.once("exit", onExit);
  });
}

/**
 * Runs `[processes].app` from fly.toml exactly as a Fly machine would: same argv, cwd =
 * the app dir (the repo root stands in for /app), env from `[env]`, a temp dir standing
 * in for the /data volume and OPENCLAW_GATEWAY_TOKEN as the `fly secrets` value.
 * One substitution: the value after `--port` (3000) becomes a free port, because 3000 may be
 * taken on a shared test machine. `node` is this test's own Node binary.
 */
describe("the fly.toml process command", () => {
  const fly = readFlyConfig("fly.toml");
  const argv = splitCommand(fly.processes!.app!);
  const token = "fly-secret-test-token-0123456789";
  let dataDir: string;
  let port: number;
  let child: ChildProcessByStdio<null, Readable, Readable>;
  let stderr = "";

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), "openclaw-fly-data-"));
    port = await findFreePort();
    const [command, ...args] = argv;
    const portIndex = args.indexOf("--port");
    expect(args[portIndex + 1]).toBe("3000");
    args[portIndex + 1] = String(port);
    // Our own OPENCLAW_* variables (a developer's config path or port) must not leak in.
    const inherited = Object.fromEntries(
      Object.entries(process.env).filter(([key]) => !key.startsWith("OPENCLAW_")),
    );
    child = spawn(command === "node" ? process.execPath : command!, args, {
      cwd: repoRoot,
      env: { ...inherited, ...fly.env, OPENCLAW_STATE_DIR: dataDir, OPENCLAW_GATEWAY_TOKEN: token },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
    });
  });

  afterAll(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("prints the guide's listening line for all interfaces", async () => {
    const line = await waitForLine(child, /^\[gateway\] listening on /);
    expect(line).toBe(`[gateway] listening on ws://0.0.0.0:${port} (PID ${child.pid})`);
  });

  it("answers Fly's health check on the internal port", async () => {
    const res = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, status: "live" });
  });

  // Fly's private network (fly proxy, WireGuard, <app>.internal) reaches the machine over IPv6 only.
  it.skipIf(!hasIpv6Loopback())(
    "answers over IPv6 too, as fly proxy and WireGuard peers connect",
    async () => {
      const res = await fetch(`http://[::1]:${port}/healthz`);
      expect(res.status).toBe(200);
    },
  );

  it("passes the Dockerfile's HEALTHCHECK command (aimed at the substituted port)", async () => {
    const healthcheck = parseDockerfile(readRepoFile("Dockerfile"))
      .stages.at(-1)!
      .find((i) => i.keyword === "HEALTHCHECK")!;
    const [command, ...args] = JSON.parse(
      healthcheck.args.slice(healthcheck.args.indexOf("CMD ") + 4),
    ) as string[];
    expect(command).toBe("node");
    const probe = spawn(
      process.execPath,
      args.map((a) => a.replace("127.0.0.1:3000/", `127.0.0.1:${port}/`)),
      { stdio: "ignore" },
    );
    const [code] = await once(probe, "exit");
    expect(code).toBe(0);
  });

  it("keeps its state in the /data stand-in", () => {
    const names = readdirSync(dataDir);
    expect(names).toEqual(expect.arrayContaining(["openclaw.json", "logs"]));
    expect(names.filter((n) => /^gateway\.[0-9a-f]{8}\.lock$/.test(n))).toHaveLength(1);
  });

  it("exits 0 on SIGTERM, releasing its lock", async () => {
    const exited = once(child, "exit");
    child.kill("SIGTERM");
    const [code, signal] = await exited;
    expect({ code, signal }, `gateway stderr:\n${stderr}`).toEqual({ code: 0, signal: null });
    expect(readdirSync(dataDir).filter((n) => n.endsWith(".lock"))).toEqual([]);
    expect(existsSync(path.join(dataDir, "openclaw.json"))).toBe(true);
  });
});
