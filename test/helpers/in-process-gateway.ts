/**
 * The gateway's parts wired together inside the test process, as `runGateway` wires
 * them (config reloader, agents, channels, WebSocket server, Control UI), for tests that
 * hand a channel a fake transport object, which the built CLI cannot take: WhatsApp's
 * Baileys socket has no server to fake on the network.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { AgentRuntime, type RuntimeConfig } from "../../src/agents/runtime.js";
import { ChannelManager } from "../../src/channels/manager.js";
import type { ChannelFactory } from "../../src/channels/types.js";
import { loadConfig } from "../../src/config/load.js";
import { createConfigReloader } from "../../src/config/reload.js";
import { AuthRateLimiter, DEFAULT_RATE_LIMIT } from "../../src/gateway/auth.js";
import type { GatewayContext } from "../../src/gateway/context.js";
import { controlUiRoute } from "../../src/gateway/control-ui.js";
import { createMethodTable } from "../../src/gateway/methods/index.js";
import { type GatewayServer, startGatewayServer } from "../../src/gateway/server.js";
import { createLogger } from "../../src/infra/logger.js";
import { tempDir } from "./cli.js";

/** What `npm run build` puts beside the CLI; the browser tests run after the build. */
const CONTROL_UI_ROOT = path.resolve(import.meta.dirname, "../../dist/control-ui");

export interface InProcessGateway {
  url: string;
  stateDir: string;
  channels: ChannelManager;
  close(): Promise<void>;
}

/** Starts on a free loopback port with `token`, `config` as openclaw.json, and `factories` over the built-in channels. */
export async function startInProcessGateway(opts: {
  token: string;
  config: Record<string, unknown>;
  factories?: Record<string, ChannelFactory<never>>;
}): Promise<InProcessGateway> {
  const stateDir = tempDir("openclaw-inproc-");
  const configFile = path.join(stateDir, "openclaw.json");
  writeFileSync(configFile, JSON.stringify({ gateway: { mode: "local" }, ...opts.config }, null, 2));
  const reloader = createConfigReloader({
    initial: await loadConfig(configFile, {}),
    env: {},
    log: createLogger("reload"),
    apply: () => void channels.sync(),
  });
  const agents = new AgentRuntime({
    stateDir,
    config: () => reloader.current().config as RuntimeConfig,
  });
  const channels: ChannelManager = new ChannelManager({
    config: () => reloader.current().config,
    runtime: agents,
    stateDir,
    env: {},
    ...(opts.factories ? { factories: opts.factories } : {}),
  });
  const gateway: GatewayContext = {
    version: "test",
    pid: process.pid,
    startedAt: Date.now(),
    stateDir,
    config: () => reloader.current(),
    listening: () => server && { bind: "loopback", hosts: [...server.hosts], port: server.port },
    authMode: () => "token",
    readiness: () => ({ ready: true, failing: [] }),
    clientCount: () => server?.clientCount() ?? 0,
    logFile: () => undefined,
    configReloader: reloader,
    agents,
    channels,
  };
  const server: GatewayServer = await startGatewayServer({
    hosts: ["127.0.0.1"],
    port: 0,
    effectiveBind: "loopback",
    gateway,
    methods: createMethodTable(),
    routes: () => [controlUiRoute({ basePath: "/", root: CONTROL_UI_ROOT })],
    auth: () => ({ mode: "token", token: opts.token }),
    allowedOrigins: () => [],
    rateLimiter: new AuthRateLimiter(DEFAULT_RATE_LIMIT),
    log: createLogger("gateway"),
  });
  await channels.sync();
  return {
    url: `http://127.0.0.1:${server.port}/`,
    stateDir,
    channels,
    async close() {
      await Promise.all([server.close("test done"), channels.stopAll()]);
    },
  };
}
