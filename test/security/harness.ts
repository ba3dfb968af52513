/**
 * A built gateway on loopback with a fake Anthropic behind it, for the attacks in
 * test/security: each test starts one with its own config and state dir.
 */
import { readFileSync } from "node:fs";
import { startFakeAnthropic } from "../fakes/anthropic.js";
import type { FakeServer } from "../fakes/server.js";
import { type RunningGateway, startGateway, testEnv } from "../helpers/cli.js";
import { baseConfig, stateDirWith } from "../helpers/config.js";
import { RawSocket } from "../helpers/ws.js";

export const TOKEN = "security-test-token-123456";

export interface Target {
  gw: RunningGateway;
  anthropic: FakeServer;
  stateDir: string;
  env: NodeJS.ProcessEnv;
  wsUrl: string;
  httpUrl: string;
  /** A connected, authenticated socket with every operator scope. */
  socket(): Promise<RawSocket>;
  close(): Promise<void>;
}

export async function startTarget(config: Record<string, unknown> = {}): Promise<Target> {
  const anthropic = await startFakeAnthropic();
  const stateDir = stateDirWith(baseConfig(anthropic.url, config), "openclaw-security-");
  const env = testEnv({
    OPENCLAW_STATE_DIR: stateDir,
    OPENCLAW_GATEWAY_TOKEN: TOKEN,
    ANTHROPIC_API_KEY: "sk-security-123456",
  });
  const gw = await startGateway(["--port", "0"], env);
  const wsUrl = `ws://127.0.0.1:${gw.port}`;
  return {
    gw,
    anthropic,
    stateDir,
    env: { ...env, OPENCLAW_GATEWAY_PORT: String(gw.port) },
    wsUrl,
    httpUrl: `http://127.0.0.1:${gw.port}`,
    async socket() {
      const socket = await RawSocket.open(wsUrl);
      const hello = await socket.connect({ token: TOKEN });
      if (!hello.ok) throw new Error(`connect failed: ${JSON.stringify(hello.error)}`);
      return socket;
    },
    async close() {
      await gw.stop();
      await anthropic.close();
    },
  };
}

/** The gateway process's resident memory, in MiB (Linux). */
export function rssMiB(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) / 1024;
}
