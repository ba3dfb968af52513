// bench/compare: `npm run bench`. The same scenarios against our gateway and the real
// OpenClaw (installed on demand by bench/peer/install-openclaw.mjs), in one run, with
// one harness; prints one table with both figures and the ratio.
//   node bench/compare.mjs [--runs 3] [--idle 10] [--idleRuns 1] [--messages 30]
//     [--warmup 3] [--sessions 4] [--perSession 5] [--ours-only] [--peer-version 2026.9.6]
//     [--peer-dir <folder>] [--json <file>]
// Needs a build (npm run build) and Node >= 24 for the peer (scripts/node24.sh).
// Loopback only. Every spawned gateway runs in its own process group, killed at the end.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { loadFake, median, percentile } from "./lib.mjs";
import { connectClient, freePort, spawnUntilAccept, treeRssMb } from "./peer/harness.mjs";
import {
  DEFAULT_DIR,
  DEFAULT_VERSION,
  ensureOpenClaw,
  findNode24,
  installDiscordPlugin,
} from "./peer/install-openclaw.mjs";
import { formatTable } from "./table.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

function parseOptions(argv) {
  const opts = {
    runs: 3,
    idle: 10,
    idleRuns: 1,
    messages: 30,
    warmup: 3,
    sessions: 4,
    perSession: 5,
    "ours-only": false,
    "peer-version": DEFAULT_VERSION,
    "peer-dir": DEFAULT_DIR,
    json: "",
  };
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i].replace(/^--/, "");
    if (!(key in opts)) throw new Error(`unknown option --${key}; known: ${Object.keys(opts).join(", ")}`);
    if (typeof opts[key] === "boolean") opts[key] = true;
    else if (typeof opts[key] === "number") opts[key] = Number(argv[++i]);
    else opts[key] = argv[++i];
  }
  return opts;
}
const opts = parseOptions(process.argv.slice(2));
const TOKEN = "bench-compare-token-123456";
const log = (m) => console.error(`[bench] ${m}`);

const GUILD = "1100000000000000001";
const CHANNELS = Array.from({ length: 4 }, (_, i) => ({
  id: String(1100000000000001000n + BigInt(i)),
  name: `room-${i}`,
  type: 0,
}));
const USER = { id: "1200000000000000001", username: "bench-user" };
const MODEL_ID = "claude-sonnet-4-5";

// ---- the two gateways -------------------------------------------------------

// Both gateways run on the same Node 24 (OpenClaw requires it; ours accepts it).
const node24 = await findNode24();
const ours = {
  name: "ours",
  node: node24,
  args: (port) => [
    path.join(root, "dist/index.js"),
    "gateway",
    "--allow-unconfigured",
    "--port",
    String(port),
  ],
  env: () => ({}),
  clientId: { id: "cli", mode: "cli" },
  config({ port, modelUrl, discord }) {
    return {
      gateway: { mode: "local", port },
      ...(modelUrl && {
        models: { providers: { anthropic: { baseUrl: modelUrl } } },
        agents: { defaults: { model: { primary: `anthropic/${MODEL_ID}` }, maxConcurrent: 16 } },
      }),
      ...(discord && {
        channels: {
          discord: {
            enabled: true,
            apiBaseUrl: discord.apiBaseUrl,
            groupPolicy: "allowlist",
            guilds: { [GUILD]: { requireMention: false } },
          },
        },
      }),
      logging: { level: "warn" },
    };
  },
};

function peerTarget(install) {
  return {
    name: "OpenClaw",
    node: install.node,
    args: (port) => [
      install.entry,
      "gateway",
      "--allow-unconfigured",
      "--port",
      String(port),
      "--bind",
      "loopback",
    ],
    // OpenClaw's only Discord endpoint override: a process-wide env var (REST, gateway discovery, WS).
    env: ({ discord }) => (discord ? { DISCORD_API_URL: `${discord.apiBaseUrl}/v10` } : {}),
    clientId: { id: "cli", mode: "cli" },
    config({ port, modelUrl, discord, base = {} }) {
      return {
        ...base,
        gateway: { mode: "local", bind: "loopback", port },
        ...(modelUrl && {
          models: {
            providers: {
              anthropic: {
                baseUrl: modelUrl,
                api: "anthropic-messages",
                apiKey: "sk-bench",
                models: [
                  { id: MODEL_ID, name: "fake", input: ["text"], contextWindow: 200000, maxTokens: 8192 },
                ],
              },
            },
          },
          agents: { defaults: { model: { primary: `anthropic/${MODEL_ID}` } } },
        }),
        ...(discord && {
          channels: {
            discord: {
              enabled: true,
              token: discord.token,
              // Saves OpenClaw a startup lookup (/oauth2/applications/@me); same id as the fake's.
              applicationId: discord.bot.id,
              groupPolicy: "allowlist",
              guilds: { [GUILD]: { requireMention: false } },
            },
          },
        }),
      };
    },
  };
}

async function launch(target, { stateDir, modelUrl, discord, base, timeoutMs }) {
  const port = await freePort();
  if (modelUrl || discord) {
    writeFileSync(
      path.join(stateDir, "openclaw.json"),
      JSON.stringify(target.config({ port, modelUrl, discord, base }), null, 2),
    );
  }
  const env = {
    ...process.env,
    OPENCLAW_STATE_DIR: stateDir,
    OPENCLAW_GATEWAY_TOKEN: TOKEN,
    ANTHROPIC_API_KEY: "sk-bench",
    NO_COLOR: "1",
    ...(discord && { DISCORD_BOT_TOKEN: discord.token }),
    ...target.env({ discord }),
  };
  const handle = await spawnUntilAccept(target.node, target.args(port), { env, cwd: root, port, timeoutMs });
  return { ...handle, port };
}

const freshState = (name) => mkdtempSync(path.join(os.tmpdir(), `bench-compare-${name}-`));
const loadavg = () => os.loadavg()[0].toFixed(2);

// ---- scenarios ----------------------------------------------------------------

/** Cold start (spawn → TCP accept, fresh state dir each run) and idle tree RSS `idle` s later. */
async function startAndIdle(target) {
  const starts = [];
  const rss = [];
  let processes = 0;
  for (let i = 0; i < opts.runs; i++) {
    const stateDir = freshState(target.name);
    const handle = await launch(target, { stateDir });
    try {
      starts.push(handle.startMs);
      log(
        `${target.name}: start run ${i + 1}/${opts.runs}: ${handle.startMs.toFixed(0)} ms (load ${loadavg()})`,
      );
      if (i < opts.idleRuns) {
        await delay(opts.idle * 1000);
        const tree = treeRssMb(handle.proc.pid);
        rss.push(tree.rssMb);
        processes = tree.processes;
        log(`${target.name}: idle tree RSS ${tree.rssMb.toFixed(1)} MB in ${tree.processes} processes`);
      }
    } finally {
      await handle.stop();
      rmSync(stateDir, { recursive: true, force: true });
    }
  }
  return { startMs: median(starts), starts, idleRssMb: median(rss), rss, processes };
}

/** Tree RSS `idle` s after the fake Discord saw IDENTIFY; then end-to-end messages/s through Discord. */
async function withDiscord(target, { stateDir, base, keepState }) {
  const { startFakeDiscord } = await loadFake("discord/index.ts");
  const { startFakeAnthropic } = await loadFake("anthropic.ts");
  const discord = await startFakeDiscord({ guilds: [{ id: GUILD, name: "bench", channels: CHANNELS }] });
  const model = await startFakeAnthropic();
  model.setDefault({ text: "pong", usage: { input: 10, output: 1 } });
  let handle;
  try {
    handle = await launch(target, { stateDir, modelUrl: model.url, discord, base });
    const t0 = performance.now();
    while (!discord.frames.some((f) => f.op === 2)) {
      if (performance.now() - t0 > 180_000)
        throw new Error("no IDENTIFY on the fake Discord gateway within 180 s");
      await delay(50);
    }
    log(`${target.name}: Discord IDENTIFY ${((performance.now() - t0) / 1000).toFixed(1)} s after listening`);
    await delay(opts.idle * 1000);
    const tree = treeRssMb(handle.proc.pid);
    log(`${target.name}: tree RSS with Discord ${tree.rssMb.toFixed(1)} MB`);
    // End to end: user messages on the fake gateway → agent → replies over REST.
    const count = opts.sessions * opts.perSession;
    const before = discord.messages.length;
    const t1 = performance.now();
    for (let i = 0; i < count; i++) {
      const channel = CHANNELS[i % CHANNELS.length];
      discord.sendMessage({ channelId: channel.id, guildId: GUILD, author: USER, content: `ping ${i}` });
    }
    let e2e;
    let e2eNote;
    const deadline = t1 + 180_000;
    while (discord.messages.length - before < count && performance.now() < deadline) await delay(20);
    const got = discord.messages.length - before;
    log(
      `${target.name}: ${got}/${count} Discord replies in ${((performance.now() - t1) / 1000).toFixed(1)} s`,
    );
    if (got >= count) e2e = count / ((performance.now() - t1) / 1000);
    else e2eNote = `${got}/${count} replies posted to the fake Discord within 180 s`;
    return { rssMb: tree.rssMb, e2e, e2eNote };
  } finally {
    await handle?.stop();
    await discord.close();
    await model.close();
    if (!keepState) rmSync(stateDir, { recursive: true, force: true });
  }
}

/** Per-message overhead (chat.send → final, minus the same model call made directly) and messages/s. */
async function chat(target) {
  const { startFakeAnthropic } = await loadFake("anthropic.ts");
  const model = await startFakeAnthropic();
  model.setDefault({ text: "ok", usage: { input: 10, output: 1 } });
  const stateDir = freshState(target.name);
  let handle;
  let client;
  try {
    handle = await launch(target, { stateDir, modelUrl: model.url });
    client = await connectClient(`ws://127.0.0.1:${handle.port}`, TOKEN, target.clientId);
    const direct = async () => {
      const t0 = performance.now();
      const res = await fetch(`${model.url}/v1/messages`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-api-key": "k", "anthropic-version": "2023-06-01" },
        body: JSON.stringify({
          model: MODEL_ID,
          max_tokens: 64,
          stream: true,
          messages: [{ role: "user", content: "hi" }],
        }),
      });
      await res.text();
      return performance.now() - t0;
    };
    let seq = 0;
    const send = async (sessionKey) => {
      const t0 = performance.now();
      const state = await client.chat(sessionKey, "hi", `bench-${seq++}-${Date.now()}`);
      if (state !== "final") throw new Error(`${target.name}: chat run ended ${state}`);
      return performance.now() - t0;
    };
    for (let i = 0; i < opts.warmup; i++) {
      await direct();
      const ms = await send(`warm-${i % 2}`);
      log(`${target.name}: warm-up message ${i + 1}: ${ms.toFixed(0)} ms`);
    }
    const overhead = [];
    const viaGateway = [];
    for (let i = 0; i < opts.messages; i++) {
      const floor = await direct();
      const ms = await send(`serial-${i % 5}`);
      viaGateway.push(ms);
      overhead.push(ms - floor);
    }
    log(
      `${target.name}: ${opts.messages} sequential messages, p50 ${percentile(viaGateway, 50).toFixed(1)} ms`,
    );
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: opts.sessions }, async (_, s) => {
        for (let m = 0; m < opts.perSession; m++) await send(`load-${s}`);
      }),
    );
    const perSecond = (opts.sessions * opts.perSession) / ((performance.now() - t0) / 1000);
    const tree = treeRssMb(handle.proc.pid);
    return {
      p50: percentile(overhead, 50),
      p99: percentile(overhead, 99),
      endToEndP50: percentile(viaGateway, 50),
      perSecond,
      rssAfterMb: tree.rssMb,
    };
  } finally {
    client?.close();
    await handle?.stop();
    await model.close();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

// ---- run ----------------------------------------------------------------------

async function attempt(label, fn) {
  try {
    return { ok: true, value: await fn() };
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error)).split("\n")[0];
    log(`${label} failed: ${reason}`);
    return { ok: false, reason };
  }
}

async function measureAll(target, { discordState, discordBase, keepDiscordState }) {
  const start = await attempt(`${target.name} start`, () => startAndIdle(target));
  const discord = discordState.ok
    ? await attempt(`${target.name} discord`, () =>
        withDiscord(target, { stateDir: discordState.dir, base: discordBase, keepState: keepDiscordState }),
      )
    : discordState;
  const talk = await attempt(`${target.name} chat`, () => chat(target));
  return { start, discord, chat: talk };
}

const facts = {
  date: new Date().toISOString(),
  nproc: os.availableParallelism(),
  cpu: os.cpus()[0]?.model ?? "?",
  memGb: (os.totalmem() / 2 ** 30).toFixed(1),
  node: process.version,
  gatewayNode: execFileSync(node24, ["--version"], { encoding: "utf8" }).trim(),
  loadBefore: loadavg(),
};
log(
  `machine: ${facts.nproc} cpus (${facts.cpu}), ${facts.memGb} GB, Node ${facts.node}, load ${facts.loadBefore}`,
);

let peer;
let peerReason;
if (opts["ours-only"]) peerReason = "skipped (--ours-only)";
else {
  const install = await ensureOpenClaw({ version: opts["peer-version"], dir: opts["peer-dir"], log });
  if (install.ok) {
    peer = { target: peerTarget(install), install };
    log(`OpenClaw ${install.version} at ${install.entry} (${install.cached ? "cached" : "fresh install"})`);
  } else {
    peerReason = `could not be installed: ${install.reason}`;
    log(`OpenClaw ${peerReason}; printing our figures alone`);
  }
}

log("measuring ours…");
const oursResult = await measureAll(ours, {
  discordState: { ok: true, dir: freshState("ours-discord") },
  keepDiscordState: false,
});

let peerResult;
if (peer) {
  log("measuring OpenClaw… (about 1 GB and ~15-60 s per start on 2 cores)");
  // Discord is an external OpenClaw plugin; OpenClaw only trusts it (and lets it start)
  // when installed by `openclaw plugins install npm:@openclaw/discord`, which records it
  // in the state dir. That takes minutes, so this state dir is prepared once and reused.
  const plugin = await installDiscordPlugin(peer.install, log);
  let discordBase;
  if (plugin.ok) discordBase = JSON.parse(readFileSync(path.join(plugin.stateDir, "openclaw.json"), "utf8"));
  peerResult = await measureAll(peer.target, {
    discordState: plugin.ok ? { ok: true, dir: plugin.stateDir } : { ok: false, reason: plugin.reason },
    discordBase,
    keepDiscordState: true,
  });
}

// ---- table --------------------------------------------------------------------

const pick = (result, key) => (result?.ok ? result.value[key] : undefined);
const why = (result, key) => {
  if (!result) return peerReason;
  if (!result.ok) return result.reason;
  return result.value[key] === undefined ? (result.value[`${key}Note`] ?? "not measured") : undefined;
};
const row = (scenario, unit, better, part, key) => ({
  scenario,
  unit,
  better,
  ours: pick(oursResult[part], key),
  oursNote: why(oursResult[part], key),
  peer: pick(peerResult?.[part], key),
  peerNote: why(peerResult?.[part], key),
});
const rows = [
  row(`cold start to listening (median of ${opts.runs})`, "ms", "lower", "start", "startMs"),
  row(`idle RSS, process tree, ${opts.idle} s after listening`, "MB", "lower", "start", "idleRssMb"),
  row(`RSS with Discord connected (${opts.idle} s after IDENTIFY)`, "MB", "lower", "discord", "rssMb"),
  row("gateway overhead per chat message, p50", "ms", "lower", "chat", "p50"),
  row("gateway overhead per chat message, p99", "ms", "lower", "chat", "p99"),
  row(
    `messages/s over WS (${opts.sessions} sessions x ${opts.perSession})`,
    "msg/s",
    "higher",
    "chat",
    "perSecond",
  ),
  row(`messages/s end to end via the fake Discord`, "msg/s", "higher", "discord", "e2e"),
];
const peerVersion = peer ? `OpenClaw ${peer.install.version}` : "OpenClaw";
console.log(
  `npm run bench: ours vs ${peerVersion}, ${facts.date}; ${facts.nproc} cpus, gateways on Node ${facts.gatewayNode}, ` +
    `load ${facts.loadBefore} → ${loadavg()}`,
);
console.log(
  `runs: start ${opts.runs}, idle RSS ${opts.idleRuns}, chat ${opts.messages} sequential (+${opts.warmup} warm-up), ` +
    `load ${opts.sessions}x${opts.perSession}; fake model answers at once; loopback only`,
);
console.log(formatTable(rows, { peerName: "OpenClaw" }));
if (opts.json) {
  writeFileSync(
    opts.json,
    JSON.stringify({ facts, opts, rows, ours: oursResult, peer: peerResult }, null, 2),
  );
}
