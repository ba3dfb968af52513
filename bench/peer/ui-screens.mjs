// bench/peer/ui-screens: our Control UI and OpenClaw's own, side by side, on the same gateway
// (ours) and the same data, for docs/control-ui.md (not in `npm test`: needs the downloaded
// OpenClaw for its dist/control-ui).
//   node bench/peer/ui-screens.mjs [--peer-dir <folder>] [--out docs/img]
// Starts our built gateway on the fake Anthropic and a fake Telegram Bot API, fills it with a
// few sessions (a markdown answer with code and a table, a labelled session, a Telegram DM),
// then screenshots chat, sessions and channels in both UIs at 1280×800 and 390×844 and writes
// one side-by-side PNG per screen and size (scaled down: 60–100 KB each).
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { launchChromium } from "../chromium.mjs";
import { connectGateway, loadFake } from "../lib.mjs";
import { serveUi } from "./control-ui.mjs";
import { peerDirOf } from "./gateways.mjs";
import { freePort, spawnUntilAccept } from "./harness.mjs";
import { ensureOpenClaw, findNode24 } from "./install-openclaw.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const opts = { "peer-dir": "", out: "docs/img" };
for (let i = 2; i < process.argv.length; i++) {
  const key = process.argv[i].replace(/^--/, "");
  if (!(key in opts)) throw new Error(`unknown option --${key}; known: ${Object.keys(opts).join(", ")}`);
  opts[key] = process.argv[++i];
}
const log = (m) => console.error(`[ui-screens] ${m}`);
const TOKEN = "ui-screens-token-0123456789";
/** OpenClaw's UI loads lazily and polls: what it shows after this long is what a user sees. */
const SETTLE_MS = 5_000;
const SIZES = {
  desktop: { viewport: { width: 1280, height: 800 } },
  phone: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true },
};
const SCREENS = ["chat", "sessions", "channels"];
const ANSWER = [
  "Here is the plan for **Saturday**:",
  "",
  "1. Check the weather",
  "2. Pack the tent",
  "",
  "```bash",
  "openclaw cron add --name hike --at 07:00",
  "```",
  "",
  "| day | high | low |",
  "| --- | ---: | ---: |",
  "| Sat | 18 | 9 |",
  "| Sun | 16 | 8 |",
  "",
  "See [the forecast](https://example.com/forecast).",
].join("\n");

async function startGateway(work) {
  const { startFakeAnthropic } = await loadFake("anthropic.ts");
  const { startFakeTelegram } = await loadFake("telegram/index.ts");
  const model = await startFakeAnthropic();
  model.setDefault({ text: "Noted: the tent is in the garage.", usage: { input: 812, output: 9 } });
  const telegram = await startFakeTelegram();
  const port = await freePort();
  const stateDir = path.join(work, "state");
  mkdirSync(stateDir, { recursive: true });
  const config = {
    gateway: { mode: "local", port },
    models: { providers: { anthropic: { baseUrl: model.url } } },
    agents: { defaults: { model: { primary: "anthropic/claude-sonnet-4-5" } } },
    channels: { telegram: { enabled: true, apiRoot: telegram.apiRoot, allowFrom: ["tg:4242"] } },
  };
  writeFileSync(path.join(stateDir, "openclaw.json"), JSON.stringify(config, null, 2));
  const env = {
    ...process.env,
    OPENCLAW_STATE_DIR: stateDir,
    OPENCLAW_GATEWAY_TOKEN: TOKEN,
    ANTHROPIC_API_KEY: "sk-ant-screens",
    TELEGRAM_BOT_TOKEN: telegram.token,
    NO_COLOR: "1",
  };
  const args = [path.join(root, "dist/index.js"), "gateway", "--port", String(port), "--bind", "loopback"];
  const handle = await spawnUntilAccept(await findNode24(), args, { env, cwd: work, port });
  return {
    model,
    telegram,
    httpUrl: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}`,
    async stop() {
      await handle.stop();
      await model.close();
      await telegram.close();
    },
  };
}

/** Runs one chat turn over the protocol and waits for its final event. */
async function turn(client, sessionKey, message) {
  const done = new Promise((resolve) =>
    client.onEvent((f) => {
      if (f.event === "chat" && f.payload?.sessionKey === sessionKey && f.payload.state !== "delta")
        resolve();
    }),
  );
  await client.request("chat.send", { sessionKey, message, idempotencyKey: `${sessionKey}:${message}` });
  await done;
}

async function fill(gw) {
  const client = await connectGateway(gw.wsUrl, TOKEN);
  const answer = gw.telegram.nextSent((m) => m.chatId === "4242");
  gw.telegram.inject({
    from: { id: 4242, first_name: "Alice", username: "alice" },
    text: "is the tent dry?",
  });
  await answer;
  await turn(client, "agent:main:ui-errands", "remind me to buy gas for the stove");
  await client.request("sessions.patch", { key: "agent:main:ui-errands", label: "Errands" });
  gw.model.enqueue({ text: ANSWER, usage: { input: 1234, output: 96 } });
  await turn(client, "agent:main:main", "plan the hike this weekend");
  client.close();
}

/** Our UI: token on the connect screen, then each screen by its #/route. */
async function oursShots(browser, gw, size, dir) {
  const context = await browser.newContext({ ...SIZES[size], colorScheme: "light" });
  const page = await context.newPage();
  const problems = [];
  page.on("console", (m) => m.type() === "error" && problems.push(m.text()));
  page.on("requestfailed", (r) => problems.push(`${r.url()}: ${r.failure()?.errorText}`));
  page.on("response", (r) => r.status() >= 400 && problems.push(`${r.url()}: HTTP ${r.status()}`));
  const open = new Set();
  page.on("request", (r) => open.add(r.url()));
  page.on("requestfinished", (r) => open.delete(r.url()));
  await page.goto(`${gw.httpUrl}/`);
  await page.fill("#secret", TOKEN);
  await page.click("#connect");
  try {
    await page.waitForSelector(".msg.assistant .codeblock", { state: "attached" });
  } catch (err) {
    await page.screenshot({ path: path.join(dir, `ours-failed-${size}.png`) });
    throw new Error(
      `our chat never showed the answer (see ${dir}/ours-failed-${size}.png; ${problems.join("; ")}; unfinished: ${[...open].join(", ")}): ${err.message}`,
    );
  }
  const shots = {};
  for (const screen of SCREENS) {
    if (screen !== "chat") await page.goto(`${gw.httpUrl}/#/${screen}`);
    await page.waitForTimeout(screen === "chat" ? 500 : 1_500);
    shots[screen] = path.join(dir, `ours-${screen}-${size}.png`);
    await page.screenshot({ path: shots[screen] });
  }
  await context.close();
  return shots;
}

/** OpenClaw's UI, served as its gateway would, pointed at ours (token in the URL fragment). */
async function theirShots(browser, base, size, dir) {
  const context = await browser.newContext({ ...SIZES[size], colorScheme: "light" });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e.message).slice(0, 160)));
  await page.goto(`${base}/chat/main#token=${TOKEN}`);
  await page.waitForTimeout(SETTLE_MS);
  const shots = {};
  for (const screen of SCREENS) {
    if (screen !== "chat") await page.goto(`${base}/${screen}`);
    await page.waitForTimeout(SETTLE_MS);
    shots[screen] = path.join(dir, `openclaw-${screen}-${size}.png`);
    await page.screenshot({ path: shots[screen] });
  }
  if (errors.length) log(`OpenClaw's UI page errors (${size}): ${errors.join(" | ")}`);
  await context.close();
  return shots;
}

/** One image: ours on the left, OpenClaw's on the right, each under its name. */
async function compose(browser, ours, theirs, size, title, file) {
  const { width, height } = SIZES[size].viewport;
  // Small enough for the docs (under ~100 KB a picture), large enough to read the UI's text.
  const scale = size === "desktop" ? 0.6 : 0.7;
  const w = Math.round(width * scale);
  const img = (p) => `data:image/png;base64,${readFileSync(p).toString("base64")}`;
  const cell = (name, p) =>
    `<figure><figcaption>${name}</figcaption><img src="${img(p)}" width="${w}" height="${Math.round(height * scale)}"></figure>`;
  const html = `<!doctype html><style>
    body{margin:0;background:#fff;font:13px system-ui,sans-serif;display:flex;gap:12px;padding:8px}
    figure{margin:0} figcaption{font-weight:600;margin:0 0 4px} img{border:1px solid #ccc;display:block}
  </style>${cell(`openclaw-lite: ${title}`, ours)}${cell(`OpenClaw: ${title}`, theirs)}`;
  const page = await browser.newPage({ viewport: { width: 2 * w + 40, height: 100 }, deviceScaleFactor: 1 });
  await page.setContent(html);
  await page.screenshot({ path: file, fullPage: true });
  await page.close();
  return statSync(file).size;
}

const work = mkdtempSync(path.join(os.tmpdir(), "ui-screens-"));
const install = await ensureOpenClaw({ dir: peerDirOf(opts["peer-dir"]), log });
if (!install.ok) throw new Error(`OpenClaw is not installed: ${install.reason}`);
const uiRoot = path.join(path.dirname(install.entry), "dist/control-ui");
const gw = await startGateway(work);
const server = await serveUi(uiRoot, gw.httpUrl, gw.wsUrl);
const browser = await launchChromium();
try {
  log("filling the gateway");
  await fill(gw);
  const base = `http://127.0.0.1:${server.address().port}`;
  const out = path.resolve(root, opts.out);
  mkdirSync(out, { recursive: true });
  for (const size of Object.keys(SIZES)) {
    log(`screenshots at ${size} size`);
    const ours = await oursShots(browser, gw, size, work);
    const theirs = await theirShots(browser, base, size, work);
    for (const screen of SCREENS) {
      const file = path.join(out, `compare-${screen}-${size}.png`);
      const bytes = await compose(browser, ours[screen], theirs[screen], size, screen, file);
      console.log(`${path.relative(root, file)}: ${Math.round(bytes / 1024)} KB`);
    }
  }
  console.log(
    `OpenClaw ${install.version} Control UI against openclaw-lite ${JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")).version}`,
  );
} finally {
  await browser.close();
  server.close();
  await gw.stop();
}
