// bench/mcp: what the MCP client adds to a tool call, and what MCP support costs a gateway
// that has no MCP server configured.
//   A. Per-call overhead: the fake stdio MCP server's `echo` tool called through our agent
//      tool (argument check, SDK client, our stdio transport, result conversion) minus the
//      same call as raw JSON-RPC lines on the server's stdin/stdout (the server's own time
//      plus the pipe). p50 and p90 over --calls sequential calls.
//   B. Idle RSS of the built gateway with no `mcp` config (the SDK must not be loaded), with
//      one stdio MCP server, and, when OPENCLAW_BENCH_BASE_CLI names another build (say
//      /work/main/dist/index.js), of that build with no mcp config, for comparison.
//   node bench/mcp.mjs [--calls 2000] [--runs 3]      (needs npm run build)
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  loadFake,
  loadSource,
  median,
  memoryMb,
  parseArgs,
  percentile,
  spawnUntilListening,
  stop,
} from "./lib.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const cli = process.env.OPENCLAW_BENCH_CLI ?? path.join(root, "dist/index.js");
const baseCli = process.env.OPENCLAW_BENCH_BASE_CLI;
const opts = parseArgs({ calls: 2000, runs: 3 });
const SERVER = path.join(root, "test/fakes/mcp/stdio-server.mjs");
const WARMUP = 200;

/** Raw JSON-RPC over the server's pipes: one request line out, wait for its response line. */
async function rawCalls(n) {
  const child = spawn(process.execPath, [SERVER], { stdio: ["pipe", "pipe", "inherit"] });
  let buffer = "";
  const waiting = new Map();
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (chunk) => {
    buffer += chunk;
    for (let nl = buffer.indexOf("\n"); nl >= 0; nl = buffer.indexOf("\n")) {
      const message = JSON.parse(buffer.slice(0, nl));
      buffer = buffer.slice(nl + 1);
      waiting.get(message.id)?.(message);
    }
  });
  let id = 0;
  const request = (method, params) =>
    new Promise((resolve) => {
      const mine = ++id;
      waiting.set(mine, resolve);
      child.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", id: mine, method, params })}\n`);
    });
  await request("initialize", {
    protocolVersion: "2025-06-18",
    capabilities: {},
    clientInfo: { name: "bench", version: "1" },
  });
  child.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" })}\n`);
  const times = [];
  for (let i = 0; i < n + WARMUP; i++) {
    const t0 = performance.now();
    await request("tools/call", { name: "echo", arguments: { text: `hi ${i}` } });
    if (i >= WARMUP) times.push(performance.now() - t0);
  }
  child.kill();
  return times;
}

/** The same calls through McpManager's agent tool, as a turn runs it. */
async function clientCalls(n) {
  const { McpManager } = await loadSource("src/agents/mcp/index.ts");
  const manager = new McpManager({ env: process.env, baseDir: () => root, log: quiet });
  manager.sync({ mcp: { servers: { bench: { command: process.execPath, args: [SERVER] } } } });
  await manager.ready();
  const tool = manager.tools().find((t) => t.name === "bench__echo");
  const ctx = {
    workspace: root,
    agentId: "main",
    sessionKey: "agent:main:main",
    signal: new AbortController().signal,
  };
  const times = [];
  for (let i = 0; i < n + WARMUP; i++) {
    const t0 = performance.now();
    const args = tool.params.parse({ text: `hi ${i}` });
    const result = await tool.execute(args, ctx);
    if (i >= WARMUP) times.push(performance.now() - t0);
    if (result.isError) throw new Error(result.content[0].text);
  }
  await manager.stop();
  return times;
}

const quiet = { debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };

const ms = (v) => `${v.toFixed(3)} ms`;
const raw = await rawCalls(opts.calls);
const ours = await clientCalls(opts.calls);
const p = (times, q) => percentile(times, q);
console.log(`A. MCP stdio tool call, ${opts.calls} sequential calls of echo (after ${WARMUP} warm-up)`);
console.log(`   raw JSON-RPC on the pipes (server's own time): p50 ${ms(p(raw, 50))}  p90 ${ms(p(raw, 90))}`);
console.log(
  `   through our agent tool:                        p50 ${ms(p(ours, 50))}  p90 ${ms(p(ours, 90))}`,
);
console.log(
  `   overhead beyond the server:                    p50 ${ms(p(ours, 50) - p(raw, 50))}  (target <= 2 ms)`,
);

// B. Idle RSS.
const { startFakeAnthropic } = await loadFake("anthropic.ts");
const fake = await startFakeAnthropic();

async function idleRss(binary, mcp) {
  const dir = mkdtempSync(path.join(os.tmpdir(), "bench-mcp-"));
  const config = {
    gateway: { mode: "local" },
    models: { providers: { anthropic: { baseUrl: fake.url } } },
    agents: { defaults: { model: { primary: "anthropic/claude-sonnet-4-5" } } },
    ...(mcp ? { mcp } : {}),
  };
  writeFileSync(path.join(dir, "openclaw.json"), JSON.stringify(config));
  const rss = [];
  for (let run = 0; run < opts.runs; run++) {
    const env = { ...process.env, OPENCLAW_STATE_DIR: dir, ANTHROPIC_API_KEY: "sk-ant-bench" };
    const { proc } = await spawnUntilListening([binary, "gateway", "--port", "0"], { env });
    // Let start-up work (and an MCP server's connection) settle before reading RSS.
    await new Promise((r) => setTimeout(r, 1500));
    rss.push(memoryMb(proc.pid).rss);
    await stop(proc);
  }
  return median(rss);
}

const withMcp = { servers: { bench: { command: process.execPath, args: [SERVER] } } };
console.log(`B. Idle gateway RSS (median of ${opts.runs} starts)`);
console.log(`   no mcp config:        ${(await idleRss(cli)).toFixed(1)} MB`);
if (baseCli) console.log(`   base build, no mcp:   ${(await idleRss(baseCli)).toFixed(1)} MB  (${baseCli})`);
console.log(`   one stdio MCP server: ${(await idleRss(cli, withMcp)).toFixed(1)} MB`);
await fake.close();
