// bench/mcp-oauth: what `auth: "oauth"` adds to an MCP tool call over Streamable HTTP.
// The same `echo` tool of the same fake server (test/fakes/mcp/oauth.ts), called through
// McpManager's agent tool: once signed in (the SDK's OAuth provider reads the credential
// file for every request and sends the bearer token), and once through the plain fake HTTP
// MCP server (test/fakes/mcp/http.ts, no auth). Also the cost of one refresh (expired token
// → 401 → refresh → retry) and of the sign-in (discovery, registration, PKCE, code exchange).
//   node bench/mcp-oauth.mjs [--calls 500]
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadFake, loadSource, parseArgs, percentile } from "./lib.mjs";

const opts = parseArgs({ calls: 500 });
const WARMUP = 50;
const quiet = { debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };
const ctx = {
  workspace: "/",
  agentId: "main",
  sessionKey: "agent:main:main",
  signal: new AbortController().signal,
};
const ms = (v) => `${v.toFixed(3)} ms`;

const { McpManager } = await loadSource("src/agents/mcp/index.ts");
const login = await loadSource("src/agents/mcp/oauth-login.ts");
const { startFakeOAuthMcp } = await loadFake("mcp/oauth.ts");
const { startFakeMcpHttp } = await loadFake("mcp/http.ts");

async function calls(manager, name, n) {
  const tool = manager.tools().find((t) => t.name === `${name}__echo`);
  const times = [];
  for (let i = 0; i < n + WARMUP; i++) {
    const t0 = performance.now();
    const result = await tool.execute(tool.params.parse({ text: `hi ${i}` }), ctx);
    if (i >= WARMUP) times.push(performance.now() - t0);
    if (result.isError) throw new Error(result.content[0].text);
  }
  return times;
}

const stateDir = mkdtempSync(path.join(os.tmpdir(), "bench-mcp-oauth-"));
const oauthFake = await startFakeOAuthMcp();
const plainFake = await startFakeMcpHttp();
const redirect = "http://127.0.0.1:0/oauth/callback";
const server = { url: oauthFake.url, auth: "oauth", oauth: { redirectUrl: redirect } };
const target = { name: "secured", server, stateDir };

const t0 = performance.now();
const started = await login.startMcpOAuthLogin(target, 10_000);
const location = (await fetch(started.authorizationUrl, { redirect: "manual" })).headers.get("location");
await login.completeMcpOAuthLogin(target, location);
const signIn = performance.now() - t0;

const manager = new McpManager({ env: {}, baseDir: () => "/", stateDir, log: quiet });
manager.sync({ mcp: { servers: { secured: server, plain: { url: plainFake.url } } } });
await manager.ready();
const plain = await calls(manager, "plain", opts.calls);
const secured = await calls(manager, "secured", opts.calls);
const refreshes = [];
const securedEcho = manager.tools().find((t) => t.name === "secured__echo");
for (let i = 0; i < 20; i++) {
  oauthFake.expireAccessTokens();
  const r0 = performance.now();
  const result = await securedEcho.execute({ text: "after expiry" }, ctx);
  refreshes.push(performance.now() - r0);
  if (result.isError) throw new Error(result.content[0].text);
}
await manager.stop();
await Promise.all([oauthFake.close(), plainFake.close()]);

const p = (times, q) => percentile(times, q);
console.log(
  `MCP tool call over Streamable HTTP, ${opts.calls} sequential calls of echo (after ${WARMUP} warm-up)`,
);
console.log(`   no auth:                   p50 ${ms(p(plain, 50))}  p90 ${ms(p(plain, 90))}`);
console.log(`   auth: "oauth" (signed in): p50 ${ms(p(secured, 50))}  p90 ${ms(p(secured, 90))}`);
console.log(`   OAuth overhead per call:   p50 ${ms(p(secured, 50) - p(plain, 50))}`);
console.log(`   call with an expired token (401, refresh, retry): p50 ${ms(p(refreshes, 50))} over 20`);
console.log(`   sign-in (discovery, registration, PKCE, exchange; no browser): ${ms(signIn)}`);
