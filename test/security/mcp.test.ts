import { describe, expect, it } from "vitest";
import { GatewayClient } from "../../src/gateway/client.js";
import { STDIO_SERVER } from "../fakes/mcp/http.js";
import { chatTurn } from "../helpers/chat-turn.js";
import { startGateway, testEnv } from "../helpers/cli.js";
import { baseConfig, stateDirWith } from "../helpers/config.js";
import { useFakeModelGateways } from "../helpers/fake-model-gateways.js";

/**
 * MCP server secrets and the gateway's own secrets stay where they belong: a stdio
 * server gets PATH, HOME and its configured env only (no provider key, no gateway
 * token, no preload hook); the exec tool never sees a server's env; config output,
 * mcp.status and the log never show env or header values.
 */

const SECRETS = {
  gatewayToken: "gw-token-mcp-7c1e9a2b4d",
  anthropicKey: "sk-ant-api03-mcp-3f4a5b6c",
  serverToken: "mcp-server-token-9e8d7c6b",
  headerToken: "Bearer mcp-header-5a4b3c2d",
  urlToken: "mcp-url-token-1q2w3e4r",
};

const fixture = useFakeModelGateways();
const { running, clients } = fixture;

async function start() {
  const mcp = {
    servers: {
      tools: {
        command: process.execPath,
        args: [STDIO_SERVER],
        env: {
          SERVER_TOKEN: SECRETS.serverToken,
          NODE_OPTIONS: "--require /tmp/evil.js",
          LD_PRELOAD: "/x.so",
        },
      },
      remote: {
        url: `http://127.0.0.1:9/mcp?token=${SECRETS.urlToken}`,
        headers: { Authorization: SECRETS.headerToken },
        connectionTimeoutMs: 2000,
      },
    },
  };
  const stateDir = stateDirWith(baseConfig(fixture.anthropic.url, { mcp }));
  const gw = await startGateway(
    ["--port", "0"],
    testEnv({
      OPENCLAW_STATE_DIR: stateDir,
      OPENCLAW_GATEWAY_TOKEN: SECRETS.gatewayToken,
      ANTHROPIC_API_KEY: SECRETS.anthropicKey,
    }),
  );
  running.push(gw);
  const { client } = await GatewayClient.connect({
    url: `ws://127.0.0.1:${gw.port}`,
    token: SECRETS.gatewayToken,
  });
  clients.push(client);
  return { gw, client };
}

/** The model (scripted like a prompt-injected one) calls `name`; returns the tool result it got back. */
async function toolThroughModel(client: GatewayClient, name: string, args: Record<string, unknown>) {
  fixture.anthropic.enqueue({ toolCalls: [{ id: "t1", name, args }] }, { text: "done" });
  const before = fixture.anthropic.requests.length;
  await chatTurn(client, `run ${name}`, { idempotencyKey: name });
  return JSON.stringify((fixture.anthropic.requests[before + 1]!.body.messages as unknown[]).at(-1));
}

/** Every string in a message (the tool result's text, wherever the provider's format puts it). */
function textsIn(node: unknown): string[] {
  if (typeof node === "string") return [node];
  if (node && typeof node === "object") return Object.values(node).flatMap(textsIn);
  return [];
}

describe("MCP secrets", () => {
  it("a stdio server gets PATH, HOME and its own env: no gateway secret, no preload hook", async () => {
    const { client } = await start();
    const result = await toolThroughModel(client, "tools__env", {});
    const env = JSON.parse(textsIn(JSON.parse(result)).find((t) => t.startsWith("{"))!) as Record<
      string,
      string
    >;
    expect(Object.keys(env).sort()).toEqual(["HOME", "PATH", "SERVER_TOKEN"]);
    expect(env.SERVER_TOKEN).toBe(SECRETS.serverToken);
    expect(result).not.toContain(SECRETS.gatewayToken);
    expect(result).not.toContain(SECRETS.anthropicKey);
  });

  it("the exec tool never sees a server's env or headers", async () => {
    const { client } = await start();
    const result = await toolThroughModel(client, "exec", { command: "env" });
    expect(result).toContain("PATH=");
    for (const secret of [SECRETS.serverToken, SECRETS.headerToken, SECRETS.urlToken]) {
      expect(result).not.toContain(secret);
    }
  });

  it("config.get, mcp.status and the log hide env, header and URL secrets", async () => {
    const { gw, client } = await start();
    await gw.waitForLine(/\[mcp\] mcp remote: could not start/);
    const shown = JSON.stringify([await client.request("config.get"), await client.request("mcp.status")]);
    const { stdout, stderr } = gw.output();
    for (const text of [shown, stdout, stderr]) {
      for (const secret of [SECRETS.serverToken, SECRETS.headerToken, SECRETS.urlToken]) {
        expect(text).not.toContain(secret);
      }
    }
    expect(stdout + stderr).toMatch(
      /mcp tools: env LD_PRELOAD, NODE_OPTIONS dropped|NODE_OPTIONS, LD_PRELOAD dropped/,
    );
  });
});
