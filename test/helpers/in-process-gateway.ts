/**
 * The gateway wired by `createGateway`, exactly as `openclaw gateway` wires it, inside
 * the test process: for tests that hand a channel a fake transport object, which the
 * built CLI cannot take (WhatsApp's Baileys socket has no server to fake on the network).
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import type { ChannelManager } from "../../src/channels/manager.js";
import type { ChannelFactory } from "../../src/channels/types.js";
import { createGateway } from "../../src/cli/gateway/create.js";
import { loadConfig } from "../../src/config/load.js";
import type { OperatorScope } from "../../src/infra/rpc.js";
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
  /** Start over an existing state directory (a restart); default a new one. */
  stateDir?: string;
  /** What the token grants (`gateway.auth.scopes`); default every operator scope. */
  scopes?: OperatorScope[];
}): Promise<InProcessGateway> {
  const stateDir = opts.stateDir ?? tempDir("openclaw-inproc-");
  const configPath = path.join(stateDir, "openclaw.json");
  writeFileSync(configPath, JSON.stringify({ gateway: { mode: "local" }, ...opts.config }, null, 2));
  const gateway = await createGateway({
    stateDir,
    configPath,
    env: {},
    snapshot: await loadConfig(configPath, {}),
    auth: { mode: "token", token: opts.token, ...(opts.scopes ? { scopes: opts.scopes } : {}) },
    cli: { token: opts.token },
    bind: "loopback",
    beyondLoopback: false,
    port: 0,
    startedAt: Date.now(),
    ...(opts.factories ? { channelFactories: opts.factories } : {}),
    controlUiRoot: CONTROL_UI_ROOT,
  });
  const server = await gateway.listen(["127.0.0.1"], 0, "loopback");
  const { channels } = await gateway.start();
  return {
    url: `http://127.0.0.1:${server.port}/`,
    stateDir,
    channels,
    close: () => gateway.stop("test done"),
  };
}
