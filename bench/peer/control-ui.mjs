// Drives OpenClaw's own Control UI (its dist/control-ui) in headless Chromium against a
// gateway: connect, open each page of a feature we have, send a chat message and wait for
// the fake model's answer. Counts page errors and `unknown method` replies.
import { existsSync, readFileSync, statSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import path from "node:path";
import { launchChromium } from "../chromium.mjs";
import { FAKE_REPLY } from "./gateways.mjs";

/** Pages of features both gateways have (OpenClaw's UI routes). */
export const UI_PAGES = ["chat/main", "sessions", "channels", "config", "logs", "cron"];
/** How long a page may take to settle (its RPCs answered) before we look at it. */
const PAGE_SETTLE_MS = 4_000;
/** How long the fake model's reply may take to appear in the chat. */
const REPLY_TIMEOUT_MS = 60_000;

const TYPES = {
  ".js": "text/javascript",
  ".css": "text/css",
  ".html": "text/html",
  ".svg": "image/svg+xml",
  ".json": "application/json",
  ".png": "image/png",
  ".webp": "image/webp",
  ".woff2": "font/woff2",
  ".webmanifest": "application/manifest+json",
};

/**
 * Serves the UI's files like a gateway would (index.html for page routes) and forwards
 * everything else (/control-ui-config.json, /startupz, avatars) to the gateway's HTTP.
 * WebSocket upgrades go to `wsUrl` (the recording proxy): the UI connects to its own origin.
 */
export function serveUi(uiRoot, gatewayHttp, wsUrl) {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, "http://x");
    // index.html's asset URLs are relative: under /chat/main they arrive as /chat/assets/….
    const assetAt = url.pathname.lastIndexOf("/assets/");
    const local = assetAt > 0 ? url.pathname.slice(assetAt) : url.pathname;
    const file = path.join(uiRoot, path.normalize(local));
    if (file.startsWith(uiRoot) && existsSync(file) && statSync(file).isFile()) {
      res.writeHead(200, { "content-type": TYPES[path.extname(file)] ?? "application/octet-stream" });
      res.end(readFileSync(file));
      return;
    }
    if (!path.extname(url.pathname) && (req.headers.accept ?? "").includes("text/html")) {
      res.writeHead(200, { "content-type": "text/html" });
      res.end(readFileSync(path.join(uiRoot, "index.html")));
      return;
    }
    const upstream = http.request(
      `${gatewayHttp}${req.url}`,
      {
        method: req.method,
        headers: { accept: req.headers.accept ?? "*/*", authorization: req.headers.authorization ?? "" },
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, { "content-type": up.headers["content-type"] ?? "text/plain" });
        up.pipe(res);
      },
    );
    upstream.on("error", () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  server.on("upgrade", (req, socket, head) => {
    const target = new URL(wsUrl);
    const upstream = net.connect(Number(target.port), target.hostname, () => {
      const headers = Object.entries(req.headers).map(([k, v]) => `${k}: ${k === "host" ? target.host : v}`);
      upstream.write(`GET ${target.pathname} HTTP/1.1\r\n${headers.join("\r\n")}\r\n\r\n`);
      if (head.length) upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.on("error", () => socket.destroy());
    socket.on("error", () => upstream.destroy());
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

/** Resolves { pages: [{ page, errors, unknownMethods }], reply, pageErrors, unknownMethods, http404 }. */
export async function driveControlUi({ pair, proxyUrl, gateway, log = () => {} }) {
  const uiRoot = path.join(path.dirname(pair.install.entry), "dist/control-ui");
  const server = await serveUi(uiRoot, gateway.httpUrl, proxyUrl);
  const base = `http://127.0.0.1:${server.address().port}`;
  const browser = await launchChromium();
  const result = { pages: [], reply: false, pageErrors: [], unknownMethods: [], http404: [] };
  try {
    const page = await browser.newPage();
    let current = "connect";
    const pageOf = () => {
      let entry = result.pages.find((p) => p.page === current);
      if (!entry) {
        entry = { page: current, errors: 0, unknownMethods: 0 };
        result.pages.push(entry);
      }
      return entry;
    };
    page.on("pageerror", (err) => {
      pageOf().errors++;
      result.pageErrors.push(`${current}: ${String(err.message).slice(0, 200)}`);
    });
    page.on("response", (res) => {
      if (res.status() === 404) result.http404.push(new URL(res.url()).pathname);
    });
    let finals = 0;
    page.on("websocket", (ws) =>
      ws.on("framereceived", ({ payload }) => {
        if (typeof payload !== "string") return;
        let frame;
        try {
          frame = JSON.parse(payload);
        } catch {
          return;
        }
        if (frame.type === "event" && frame.event === "chat" && frame.payload?.state === "final") finals++;
        const message = frame.type === "res" && !frame.ok ? String(frame.error?.message ?? "") : "";
        if (!message.startsWith("unknown method")) return;
        pageOf().unknownMethods++;
        result.unknownMethods.push(`${current}: ${message.replace(/^unknown method:? ?/, "")}`);
      }),
    );
    const start = `${base}/chat/main#token=${pair.token}`;
    await page.goto(start);
    await page.waitForTimeout(PAGE_SETTLE_MS);
    for (const route of UI_PAGES) {
      current = route;
      pageOf();
      log(`control UI: /${route}`);
      await page.goto(`${base}/${route}`);
      await page.waitForTimeout(PAGE_SETTLE_MS);
    }
    current = "chat/main (send)";
    pageOf();
    await page.goto(`${base}/chat/main`);
    result.reply = await sendChat(page, log, () => finals);
    await page.waitForTimeout(PAGE_SETTLE_MS);
  } finally {
    await browser.close();
    server.close();
  }
  return result;
}

/** Types into the composer and waits for the fake model's reply text on the page. */
async function sendChat(page, log, finals) {
  const composer = page.locator("textarea:visible, [contenteditable=true]:visible").last();
  try {
    await composer.waitFor({ state: "visible", timeout: REPLY_TIMEOUT_MS });
  } catch {
    log("control UI: no composer on the chat page");
    return false;
  }
  // The run's final `chat` event, then the reply on the page (earlier CLI turns may show it too).
  try {
    const before = finals();
    await composer.fill("hello from the bench", { timeout: REPLY_TIMEOUT_MS });
    await composer.press("Enter");
    const deadline = Date.now() + REPLY_TIMEOUT_MS;
    while (finals() === before && Date.now() < deadline) await page.waitForTimeout(250);
    if (finals() === before) throw new Error("no final chat event");
    await page.getByText(FAKE_REPLY).first().waitFor({ timeout: REPLY_TIMEOUT_MS });
    return true;
  } catch (err) {
    log(`control UI: the fake model's reply never appeared (${String(err.message).split("\n")[0]})`);
    return false;
  }
}
