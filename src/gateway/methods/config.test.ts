import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import JSON5 from "json5";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { McpManager } from "../../agents/mcp/index.js";
import { AgentRuntime, type RuntimeConfig } from "../../agents/runtime.js";
import { ChannelManager } from "../../channels/manager.js";
import { loadConfig } from "../../config/load.js";
import { type ConfigReloader, createConfigReloader } from "../../config/reload.js";
import { systemClock } from "../../cron/clock.js";
import { Heartbeat } from "../../cron/heartbeat.js";
import { CronService } from "../../cron/service.js";
import { CronStore } from "../../cron/store.js";
import { createLogger } from "../../infra/logger.js";
import { AuthRateLimiter, DEFAULT_RATE_LIMIT } from "../../infra/rate-limit.js";
import { PluginHost } from "../../plugins/host.js";
import { GatewayClient, GatewayResponseError } from "../client.js";
import type { GatewayContext } from "../context.js";
import { type GatewayServer, startGatewayServer } from "../server.js";
import { createMethodTable } from "./index.js";

const TOKEN = "config-test-token";

/** The config methods do not touch jobs: a scheduler that is never started. */
const idleCron = (file: string) =>
  new CronService({
    store: CronStore.open(file),
    clock: systemClock,
    execute: async () => ({ status: "ok", deliveryStatus: "not-requested" }),
    maxConcurrentRuns: () => 1,
    log: createLogger("cron"),
  });
let dir: string;
let file: string;
let server: GatewayServer;
let reloader: ConfigReloader;
const clients: GatewayClient[] = [];

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "openclaw-config-rpc-"));
  file = path.join(dir, "openclaw.json");
  await writeFile(
    file,
    JSON.stringify({
      gateway: { mode: "local" },
      channels: { telegram: { botToken: "123:secret-bot-token" } },
    }),
  );
  reloader = createConfigReloader({
    initial: await loadConfig(file, {}),
    env: {},
    log: createLogger("test-reload"),
    apply: () => {},
  });
  // The real parts, never started: config.* methods use only the reloader, and the
  // Telegram channel in this config must not reach the network.
  const config = () => reloader.current().config;
  const agents = new AgentRuntime({ stateDir: dir, config: () => config() as RuntimeConfig });
  const channels = new ChannelManager({ config, runtime: agents, stateDir: dir, env: {} });
  const methods = createMethodTable();
  const auth = { mode: "token" as const, token: TOKEN };
  const rateLimiter = new AuthRateLimiter(DEFAULT_RATE_LIMIT);
  const plugins = new PluginHost({
    config,
    configDir: () => dir,
    env: {},
    stateDir: dir,
    runtime: agents,
    methods,
    addRoute: () => () => {},
    addChannel: () => () => {},
    gatewayPort: () => server.port,
    auth: () => auth,
    rateLimiter,
  });
  const gateway: GatewayContext = {
    version: "test",
    pid: process.pid,
    startedAt: Date.now(),
    stateDir: dir,
    config: () => reloader.current(),
    listening: () => undefined,
    authMode: () => "token",
    readiness: () => ({ ready: true, failing: [] }),
    clientCount: () => 0,
    clients: {
      subscriptions: () => undefined,
      presence: () => [],
      versions: () => ({ presence: 1, health: 1 }),
      publishHealth: () => {},
      publishSessionsChanged: () => {},
      browserOrigin: () => undefined,
      sendTo: () => {},
      onDisconnect: () => () => {},
    },
    logFile: () => undefined,
    configReloader: reloader,
    agents,
    channels,
    plugins,
    mcp: new McpManager({ env: {}, baseDir: () => dir }),
    cron: {
      service: idleCron(path.join(dir, "cron.sqlite")),
      storePath: path.join(dir, "cron.sqlite"),
      heartbeat: new Heartbeat({
        agents,
        outbound: channels,
        clock: systemClock,
        config: () => ({}),
        readChecklist: async () => undefined,
        lastRoute: async () => undefined,
        log: createLogger("heartbeat"),
      }),
    },
  };
  server = await startGatewayServer({
    hosts: ["127.0.0.1"],
    port: 0,
    effectiveBind: "loopback",
    gateway,
    methods,
    routes: () => [],
    auth: () => auth,
    allowedOrigins: () => [],
    rateLimiter,
    log: createLogger("test-gateway"),
  });
});

afterEach(async () => {
  for (const c of clients.splice(0)) await c.close();
  await server.close("test done");
});

async function connect(scopes?: ("operator.read" | "operator.admin")[]) {
  const { client } = await GatewayClient.connect({
    url: `ws://127.0.0.1:${server.port}`,
    token: TOKEN,
    ...(scopes ? { scopes } : {}),
  });
  clients.push(client);
  return client;
}

async function rpcError(call: Promise<unknown>): Promise<GatewayResponseError> {
  const err = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof GatewayResponseError)) throw new Error(`expected a gateway error, got ${String(err)}`);
  return err;
}

type GetResult = { hash: string; config: Record<string, unknown>; raw: string | null; valid: boolean };

describe("config.* methods", () => {
  it("config.get redacts secrets, withholds raw text holding them, and returns the hash", async () => {
    const client = await connect();
    const got = (await client.request("config.get")) as GetResult;
    expect(got.config).toMatchObject({ channels: { telegram: { botToken: "__OPENCLAW_REDACTED__" } } });
    expect(got.raw).toBeNull();
    expect(got.hash).toBe(reloader.current().hash);
    expect(JSON.stringify(got)).not.toContain("secret-bot-token");
  });

  it("config.patch writes, keeps redacted secrets and applies the new snapshot", async () => {
    const client = await connect();
    const { hash, config } = (await client.request("config.get")) as GetResult;
    const result = (await client.request("config.patch", {
      baseHash: hash,
      patch: { logging: { level: "debug" }, channels: config.channels },
    })) as { hash: string; applied: string[] };
    expect(result.applied).toEqual(["logging.level"]);
    expect(reloader.current().config.logging?.level).toBe("debug");
    const onDisk = JSON5.parse(await readFile(file, "utf8"));
    expect(onDisk.channels.telegram.botToken).toBe("123:secret-bot-token");
    expect(result.hash).toBe(reloader.current().hash);
  });

  it("a key only OpenClaw knows is accepted, kept in the file, and listed by config.get", async () => {
    const client = await connect();
    const { hash } = (await client.request("config.get")) as GetResult;
    await client.request("config.patch", { baseHash: hash, patch: { tts: { auto: "off" } } });
    const got = (await client.request("config.get")) as GetResult & {
      openClawOnly: string[];
      resolved: Record<string, unknown>;
    };
    expect(got.openClawOnly).toEqual(["tts"]);
    expect(got.config.tts).toEqual({ auto: "off" });
    expect(got.resolved.tts).toBeUndefined();
    const err = await rpcError(client.request("config.patch", { baseHash: got.hash, patch: { ttz: {} } }));
    expect(err.error.details).toMatchObject({ problems: ["ttz: unknown key (did you mean `tts`?)"] });
  });

  it("rejects an invalid edit with every problem and writes nothing", async () => {
    const client = await connect();
    const { hash } = (await client.request("config.get")) as GetResult;
    const before = await readFile(file, "utf8");
    const err = await rpcError(
      client.request("config.patch", { baseHash: hash, patch: { gateway: { port: "x", bnd: "lan" } } }),
    );
    expect(err).toBeInstanceOf(GatewayResponseError);
    expect(err.error.code).toBe("INVALID_REQUEST");
    expect((err.error.details as { problems: string[] }).problems).toEqual([
      'gateway.port: expected a number (got "x")',
      "gateway.bnd: unknown key (did you mean `bind`?)",
    ]);
    expect(await readFile(file, "utf8")).toBe(before);
  });

  it("two concurrent config.set with the same baseHash: one applies, the other gets CONFLICT", async () => {
    const [a, b] = [await connect(), await connect()];
    const { hash } = (await a.request("config.get")) as GetResult;
    const results = await Promise.allSettled([
      a.request("config.set", { baseHash: hash, config: { gateway: { mode: "local", port: 1111 } } }),
      b.request("config.set", { baseHash: hash, config: { gateway: { mode: "local", port: 2222 } } }),
    ]);
    const rejected = results.filter((r) => r.status === "rejected");
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(rejected).toHaveLength(1);
    expect(((rejected[0] as PromiseRejectedResult).reason as GatewayResponseError).error.code).toBe(
      "CONFLICT",
    );
    const winner = reloader.current().config.gateway?.port;
    expect(JSON5.parse(await readFile(file, "utf8")).gateway.port).toBe(winner);
  });

  it("sequential edits each re-read the hash, so neither change is lost", async () => {
    const [a, b] = [await connect(), await connect()];
    for (const [client, patch] of [
      [a, { agents: { defaults: { maxConcurrent: 2 } } }],
      [b, { session: { dmScope: "per-peer" } }],
    ] as const) {
      const { hash } = (await client.request("config.get")) as GetResult;
      await client.request("config.patch", { baseHash: hash, patch });
    }
    const config = reloader.current().config;
    expect(config.agents?.defaults?.maxConcurrent).toBe(2);
    expect(config.session?.dmScope).toBe("per-peer");
  });

  it("config.apply takes JSON5 text; config.schema returns JSON Schema and sensitive paths", async () => {
    const client = await connect();
    const { hash } = (await client.request("config.get")) as GetResult;
    await client.request("config.apply", { baseHash: hash, raw: "{ gateway: { mode: 'local' }, // c\n }" });
    expect(reloader.current().config).toMatchObject({ gateway: { mode: "local" } });
    const schema = (await client.request("config.schema")) as {
      schema: { properties: Record<string, unknown> };
      uiHints: { sensitive: string[] };
    };
    expect(Object.keys(schema.schema.properties)).toContain("channels");
    expect(schema.uiHints.sensitive).toEqual(
      expect.arrayContaining([
        "gateway.auth.token",
        "channels.telegram.botToken",
        "models.providers.*.apiKey",
      ]),
    );
  });

  it("editing needs operator.admin; reading needs operator.read", async () => {
    const reader = await connect(["operator.read"]);
    const got = (await reader.request("config.get")) as GetResult & { path?: string };
    expect(got.path).toBeUndefined();
    const { hash } = got;
    const err = await rpcError(reader.request("config.patch", { baseHash: hash, patch: {} }));
    expect(err.error.message).toMatch(/missing scope: operator.admin/);
  });
});
