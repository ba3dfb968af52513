// bench/sessions: what the number of stored sessions costs (issue 17's numbers), in one run.
//   node bench/sessions.mjs [--sizes 10,20000,100000] [--messages 60] [--pages 30]
// For each size: a fresh state dir whose session index is filled with that many sessions
// (rows written through the store's own index class, as a long-running gateway leaves them;
// their transcripts are not created: a session costs nothing until it is used), then the
// built gateway (dist/index.js) is started against the fake model on loopback and measured:
// spawn → listening, the first sessions.list (opens the store), its first page afterwards,
// chat.send → final over WS, and the RSS of the process tree after the messages; and the
// Sessions screen's queries: a page sorted by tokens, the archived list (1 in 100 archived),
// page 20 by cursor, and sessions.search (a word in 1 message of 1,000, and a two-character
// query, which scans the newest 20,000 messages) over one indexed message per session.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { loadFake, loadSource, median, percentile } from "./lib.mjs";
import { connectClient, freePort, spawnUntilAccept, treeRssMb } from "./peer/harness.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const { values: raw } = parseArgs({
  options: {
    sizes: { type: "string", default: "10,20000,100000" },
    messages: { type: "string", default: "60" },
    pages: { type: "string", default: "30" },
    warmup: { type: "string", default: "5" },
  },
});
const opts = { messages: Number(raw.messages), pages: Number(raw.pages), warmup: Number(raw.warmup) };
const sizes = raw.sizes.split(",").map(Number);
const log = (m) => process.stderr.write(`${m}\n`);
const TOKEN = "bench-sessions";
/** Rows per transaction while filling: one commit (fsync) per batch, not per row. */
const FILL_BATCH = 5000;

const { SqliteSessionIndex } = await loadSource("src/sessions/index-db.ts");
const { INDEX_FILE } = await loadSource("src/sessions/store.ts");

function fill(stateDir, n) {
  const dir = path.join(stateDir, "agents/main/sessions");
  mkdirSync(dir, { recursive: true });
  const index = new SqliteSessionIndex(path.join(dir, INDEX_FILE));
  const started = Date.now() - n * 1000;
  for (let at = 0; at < n; at += FILL_BATCH) {
    const rows = [];
    for (let i = at; i < Math.min(n, at + FILL_BATCH); i++) {
      rows.push({
        key: `agent:main:discord:channel:${100000000000 + i}`,
        entry: {
          sessionId: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
          createdAt: started + i * 1000,
          updatedAt: started + i * 1000,
          channel: "discord",
          displayName: `#channel-${i}`,
          inputTokens: 1200,
          outputTokens: 300,
          totalTokens: 1500,
          model: "claude-sonnet-4-5",
          modelProvider: "anthropic",
          ...(i % 100 === 3 ? { archivedAt: started } : {}),
        },
      });
    }
    index.put(rows);
    index.search.addMany(
      rows.map((r, j) => ({
        sessionId: r.entry.sessionId,
        messages: [
          {
            entryId: "m1",
            role: "user",
            timestamp: new Date(started).toISOString(),
            text: `please check order ${at + j} for the ${(at + j) % 1000 === 7 ? "zanzibar" : "usual"} shipment`,
          },
        ],
      })),
      true,
    );
  }
  // Marks the legacy layout as migrated, as a gateway that ran before would have.
  index.setMeta("legacy.transcriptsScanned", new Date().toISOString());
  index.close();
}

async function measure(n, model) {
  const stateDir = mkdtempSync(path.join(os.tmpdir(), `bench-sessions-${n}-`));
  try {
    fill(stateDir, n);
    const port = await freePort();
    writeFileSync(
      path.join(stateDir, "openclaw.json"),
      JSON.stringify({
        gateway: { mode: "local", port },
        models: { providers: { anthropic: { baseUrl: model.url } } },
        agents: { defaults: { model: { primary: "anthropic/claude-sonnet-4-5" } } },
        logging: { level: "warn" },
      }),
    );
    const env = {
      ...process.env,
      OPENCLAW_STATE_DIR: stateDir,
      OPENCLAW_GATEWAY_TOKEN: TOKEN,
      ANTHROPIC_API_KEY: "sk",
    };
    const handle = await spawnUntilAccept(
      process.execPath,
      [path.join(root, "dist/index.js"), "gateway", "--port", String(port)],
      {
        env,
        port,
      },
    );
    try {
      const client = await connectClient(`ws://127.0.0.1:${port}`, TOKEN, { id: "cli", mode: "cli" });
      let t0 = performance.now();
      const first = await client.request("sessions.list", { limit: 50, archived: "all" });
      const openMs = performance.now() - t0;
      if (first.totalCount !== n)
        throw new Error(`expected ${n} sessions, the gateway lists ${first.totalCount}`);
      const pages = [];
      for (let i = 0; i < opts.pages; i++) {
        t0 = performance.now();
        await client.request("sessions.list", { limit: 50 });
        pages.push(performance.now() - t0);
      }
      const timed = async (method, params, times = opts.pages) => {
        const ms = [];
        let res;
        for (let i = 0; i < times; i++) {
          t0 = performance.now();
          res = await client.request(method, params);
          ms.push(performance.now() - t0);
        }
        return { ms: median(ms), res };
      };
      const byTokens = await timed("sessions.list", { limit: 50, sortBy: "totalTokens", sortDir: "asc" });
      const archived = await timed("sessions.list", { limit: 50, archived: true });
      let cursor;
      for (let i = 0; i < 19; i++) {
        cursor = (
          await client.request("sessions.list", {
            limit: 50,
            sortBy: "createdAt",
            ...(cursor ? { cursor } : {}),
          })
        ).nextCursor;
      }
      const deep = await timed("sessions.list", {
        limit: 50,
        sortBy: "createdAt",
        ...(cursor ? { cursor } : {}),
      });
      const search = await timed("sessions.search", { query: "zanzibar", limit: 25 });
      const short = await timed("sessions.search", { query: "zz", limit: 25 });
      if (search.res.results.length !== Math.min(25, Math.ceil(n / 1000)) && n >= 1000)
        throw new Error(`expected matches for zanzibar, got ${search.res.results.length}`);
      let seq = 0;
      for (let i = 0; i < opts.warmup; i++) await client.chat("main", "hi", `w-${seq++}`);
      const sends = [];
      for (let i = 0; i < opts.messages; i++) {
        t0 = performance.now();
        const state = await client.chat(`agent:main:bench-${i % 5}`, "hi", `m-${seq++}`);
        if (state !== "final") throw new Error(`chat run ended ${state}`);
        sends.push(performance.now() - t0);
      }
      const rss = treeRssMb(handle.proc.pid).rssMb;
      client.close();
      log(
        `${n}: start ${handle.startMs.toFixed(0)} ms, p50 ${median(sends).toFixed(1)} ms, RSS ${rss.toFixed(0)} MB`,
      );
      return {
        n,
        startMs: handle.startMs,
        openMs,
        pageMs: median(pages),
        tokensMs: byTokens.ms,
        archivedMs: archived.ms,
        deepMs: deep.ms,
        searchMs: search.ms,
        shortMs: short.ms,
        p50: median(sends),
        p99: percentile(sends, 99),
        rss,
      };
    } finally {
      await handle.stop();
    }
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
  }
}

const { startFakeAnthropic } = await loadFake("anthropic.ts");
const model = await startFakeAnthropic();
model.setDefault({ text: "ok", usage: { input: 10, output: 1 } });
const results = [];
for (const n of sizes) results.push(await measure(n, model));
await model.close();
const base = results[0];
/** A Markdown table (pasted into docs/scaling.md as it is). */
function table(header, rows) {
  const line = (cells) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}
const ratio = (v, b) => `${(v / b).toFixed(2)}×`;
process.stdout.write(
  `${table(
    [
      "sessions",
      "start→listening",
      "first sessions.list (opens store)",
      "sessions.list page (50)",
      "sorted by tokens",
      "archived only",
      "page 20 (cursor)",
      "sessions.search",
      "2-char search",
      "chat.send p50",
      "p99",
      "RSS after",
    ],
    results.map((r) => [
      r.n.toLocaleString("en"),
      `${r.startMs.toFixed(0)} ms (${ratio(r.startMs, base.startMs)})`,
      `${r.openMs.toFixed(1)} ms`,
      `${r.pageMs.toFixed(2)} ms`,
      `${r.tokensMs.toFixed(2)} ms`,
      `${r.archivedMs.toFixed(2)} ms`,
      `${r.deepMs.toFixed(2)} ms`,
      `${r.searchMs.toFixed(2)} ms`,
      `${r.shortMs.toFixed(2)} ms`,
      `${r.p50.toFixed(1)} ms (${ratio(r.p50, base.p50)})`,
      `${r.p99.toFixed(1)} ms`,
      `${r.rss.toFixed(0)} MB (+${(r.rss - base.rss).toFixed(0)})`,
    ]),
  )}\n`,
);
process.stdout.write(
  `node ${process.version}, ${os.cpus().length} CPUs, load ${os.loadavg()[0].toFixed(2)}; fake model answers at once\n`,
);
process.exit(0);
