/**
 * #23: what a gateway start evaluates before it listens. With no config file (a fresh
 * install, `--allow-unconfigured`) nothing needs zod before listening: the config it writes
 * is valid by construction, and the WebSocket frames' schemas load with the first client.
 * Measured by the startup probe bench/startup.mjs --profile uses: the bundle files loaded
 * by the first listening socket, mapped to their sources through the source maps.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { GatewayClient } from "../../src/gateway/client.js";
import { type RunningGateway, startGateway, tempDir, testEnv } from "../helpers/cli.js";

const PROBE = path.resolve(import.meta.dirname, "../../bench/fixtures/startup-probe.mjs");

/** Every source (package file or src/ file) in the bundle files loaded before listening. */
function sourcesBeforeListening(probeOut: string): string[] {
  const { loaded } = JSON.parse(readFileSync(probeOut, "utf8")) as { loaded: { file: string }[] };
  return loaded
    .filter((f) => f.file.includes(`${path.sep}dist${path.sep}`) && f.file.endsWith(".js"))
    .flatMap((f) => (JSON.parse(readFileSync(`${f.file}.map`, "utf8")) as { sources: string[] }).sources);
}

describe("gateway start: before listening", () => {
  let gw: RunningGateway | undefined;
  afterEach(async () => {
    await gw?.stop("SIGTERM");
    gw = undefined;
  });

  it("loads no zod (config schema, frame schemas) on a fresh install; the first client still connects", async () => {
    const stateDir = tempDir();
    const probeOut = path.join(stateDir, "probe.json");
    gw = await startGateway(
      ["--allow-unconfigured", "--port", "0"],
      testEnv({
        OPENCLAW_STATE_DIR: stateDir,
        NODE_OPTIONS: `--import ${pathToFileURL(PROBE).href}`,
        STARTUP_PROBE_OUT: probeOut,
      }),
    );
    const sources = sourcesBeforeListening(probeOut);
    expect(sources.some((s) => s.includes("src/cli/gateway/create.ts"))).toBe(true);
    expect(
      sources.filter((s) => /node_modules\/zod\/|src\/config\/schema|src\/gateway\/frames\.ts/.test(s)),
    ).toEqual([]);
    // The connection code and the frames' schemas load with the first WebSocket.
    const { client, hello } = await GatewayClient.connect({ url: `ws://127.0.0.1:${gw.port}` });
    expect(hello.type).toBe("hello-ok");
    expect(await client.request("health")).toBeTruthy();
    client.close();
  });
});
