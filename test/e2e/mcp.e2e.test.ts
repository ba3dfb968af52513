import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { GatewayClient } from "../../src/gateway/client.js";
import type { EventFrame } from "../../src/gateway/protocol.js";
import { STDIO_SERVER } from "../fakes/mcp/http.js";
import { chatTurn } from "../helpers/chat-turn.js";
import { startGateway, testEnv } from "../helpers/cli.js";
import { baseConfig, stateDirWith, writeConfigFile } from "../helpers/config.js";
import { useFakeModelGateways } from "../helpers/fake-model-gateways.js";
import { processesWithMarker } from "../helpers/processes.js";

/**
 * MCP servers through the built gateway: the fake model calls a real stdio MCP server's
 * tools, the server dies mid-call, config edits add and remove servers, and shutdown
 * leaves no server process behind.
 */

const fixture = useFakeModelGateways();
const { running, clients } = fixture;

const server = (marker: string, args: string[] = []) => ({
  command: process.execPath,
  args: [STDIO_SERVER, `--marker=${marker}`, ...args],
});

async function start(mcp: Record<string, unknown>) {
  const stateDir = stateDirWith(baseConfig(fixture.anthropic.url, { mcp }));
  const gw = await startGateway(
    ["--port", "0"],
    testEnv({ OPENCLAW_STATE_DIR: stateDir, ANTHROPIC_API_KEY: "sk-ant-mcp-e2e" }),
  );
  running.push(gw);
  const { client } = await GatewayClient.connect({ url: `ws://127.0.0.1:${gw.port}` });
  clients.push(client);
  return { gw, client, stateDir };
}

const chat = (client: GatewayClient, message: string) => chatTurn(client, message);

const toolNames = (i: number) =>
  ((fixture.anthropic.requests[i]!.body as { tools?: { name: string }[] }).tools ?? []).map((t) => t.name);
const messagesOf = (i: number) => JSON.stringify(fixture.anthropic.requests[i]!.body.messages);

describe("MCP tools through the gateway", () => {
  it("the model calls an MCP tool by its <server>__<tool> name and reads the answer", async () => {
    const marker = `e2e-call-${randomUUID().slice(0, 8)}`;
    const { client } = await start({ servers: { tools: server(marker) } });
    fixture.anthropic.enqueue(
      { toolCalls: [{ id: "t1", name: "tools__echo", args: { text: "from the model" } }] },
      { text: "done" },
    );
    expect(await chat(client, "use echo")).toBe("final");
    expect(toolNames(0)).toEqual(expect.arrayContaining(["tools__echo", "tools__add", "read", "exec"]));
    expect(messagesOf(1)).toContain("echo: from the model");
    const status = (await client.request("mcp.status")) as { servers: { name: string; state: string }[] };
    expect(status.servers).toEqual([expect.objectContaining({ name: "tools", state: "ready", tools: 10 })]);
  });

  it("a server killed mid-call costs that call one tool error; the turn completes", async () => {
    const marker = `e2e-kill-${randomUUID().slice(0, 8)}`;
    const { client } = await start({ servers: { tools: server(marker) } });
    fixture.anthropic.enqueue(
      { toolCalls: [{ id: "t1", name: "tools__sleep", args: { ms: 600_000 } }] },
      { text: "carried on without it" },
    );
    client.onEvent((frame: EventFrame) => {
      const data = (frame.payload as { stream?: string; data?: { phase?: string } } | undefined) ?? {};
      if (frame.event === "agent" && data.stream === "tool" && data.data?.phase === "start") {
        void processesWithMarker(marker).then((pids) => {
          for (const pid of pids) process.kill(pid, "SIGKILL");
        });
      }
    });
    expect(await chat(client, "sleep forever")).toBe("final");
    const toolResult = (fixture.anthropic.requests[1]!.body.messages as { content: unknown }[]).at(-1);
    expect(JSON.stringify(toolResult)).toMatch(/"is_error":true/);
    expect(JSON.stringify(toolResult)).toMatch(/tools__sleep failed/);
  });

  it("config edits add and remove servers live; shutdown leaves no server process", async () => {
    const a = `e2e-live-a-${randomUUID().slice(0, 8)}`;
    const b = `e2e-live-b-${randomUUID().slice(0, 8)}`;
    const { gw, client, stateDir } = await start({ servers: { first: server(a) } });
    await gw.waitForLine(/\[mcp\] mcp first: connected/);
    const config = (servers: Record<string, unknown>) =>
      baseConfig(fixture.anthropic.url, { mcp: { servers } });
    writeConfigFile(stateDir, config({ first: server(a), second: server(b, ["--grandchild"]) }));
    await gw.waitForLine(/\[mcp\] mcp second: connected/);
    fixture.anthropic.enqueue({ text: "ok" });
    await chat(client, "after adding");
    expect(toolNames(0)).toEqual(expect.arrayContaining(["first__echo", "second__echo"]));
    // The server and the child it started.
    expect(await processesWithMarker(b)).toHaveLength(2);

    writeConfigFile(stateDir, config({ second: server(b, ["--grandchild"]) }));
    await gw.waitForLine(/\[mcp\] mcp first: removed/);
    await expect.poll(() => processesWithMarker(a)).toEqual([]);
    fixture.anthropic.enqueue({ text: "ok" });
    await chat(client, "after removing");
    expect(toolNames(1)).toContain("second__echo");
    expect(toolNames(1).some((n) => n.startsWith("first__"))).toBe(false);

    const exit = await gw.stop("SIGTERM");
    expect(exit.code).toBe(0);
    expect(await processesWithMarker(b)).toEqual([]);
  });

  it("a config whose servers are all disabled starts no process", async () => {
    const marker = `e2e-off-${randomUUID().slice(0, 8)}`;
    const { client } = await start({ servers: { off: { ...server(marker), enabled: false } } });
    const status = (await client.request("mcp.status")) as { servers: unknown[] };
    expect(status.servers).toEqual([expect.objectContaining({ name: "off", state: "disabled", tools: 0 })]);
    expect(await processesWithMarker(marker)).toEqual([]);
  });
});
