import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach } from "vitest";
import { CHROMIUM_PATH, launchChromium as launch } from "../../bench/chromium.mjs";
import { SqliteSessionIndex } from "../../src/sessions/index-db.js";
import { INDEX_FILE } from "../../src/sessions/store.js";
import { startFakeAnthropic } from "../fakes/anthropic.js";
import type { FakeServer } from "../fakes/server.js";
import { type RunningGateway, startGateway, tempDir, testEnv } from "../helpers/cli.js";
import { baseConfig, writeConfigFile } from "../helpers/config.js";

/** Debian's Chromium; playwright-core never downloads a browser. */
export { CHROMIUM_PATH };
export const SCREENSHOT_DIR = path.resolve(import.meta.dirname, "../../test-results/ui");
export const TOKEN = "ui-test-token-0123456789";

/**
 * Launches headless Chromium. A missing or broken browser fails the tests loudly:
 * they must never pass by skipping. playwright gives each launch a fresh temporary
 * user-data-dir, and each test its own context (no storage carried over).
 */
/** Chromium flags for a fake microphone (a tone) granted without a prompt. */
export const FAKE_MICROPHONE = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"];

export async function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}: the Control UI browser tests need it (apt-get install -y chromium, as .ci/run does), or set CHROMIUM_PATH`,
    );
  }
  return launch(extraArgs);
}

export interface UiGateway {
  gw: RunningGateway;
  anthropic: FakeServer;
  stateDir: string;
  url: string;
  configFile: string;
  /** Stops the gateway and starts it again on the same port and state dir. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/** A built gateway on loopback with a token, a temp state dir and the fake Anthropic as its model. */
export async function startUiGateway(extraConfig: Record<string, unknown> = {}): Promise<UiGateway> {
  const anthropic = await startFakeAnthropic();
  const stateDir = tempDir("openclaw-ui-");
  const configFile = writeConfigFile(
    stateDir,
    baseConfig(anthropic.url, {
      ...extraConfig,
      gateway: extraConfig.gateway ?? {},
      agents: {
        ...(extraConfig.agents as Record<string, unknown> | undefined),
        defaults: {
          maxConcurrent: 2,
          ...((extraConfig.agents as { defaults?: Record<string, unknown> } | undefined)?.defaults ?? {}),
        },
      },
    }),
  );
  const env = testEnv({
    OPENCLAW_STATE_DIR: stateDir,
    OPENCLAW_GATEWAY_TOKEN: TOKEN,
    ANTHROPIC_API_KEY: "sk-ant-test-key",
  });
  const gw = await startGateway(["--port", "0", "--bind", "loopback"], env);
  const ui: UiGateway = {
    gw,
    anthropic,
    stateDir,
    configFile,
    url: `http://127.0.0.1:${gw.port}/`,
    async restart() {
      await ui.gw.stop("SIGTERM");
      ui.gw = await startGateway(["--port", String(gw.port), "--bind", "loopback"], env);
    },
    async close() {
      await ui.gw.stop("SIGTERM");
      await anthropic.close();
    },
  };
  return ui;
}

/**
 * One browser and one gateway per test file, started by the first test that asks.
 * Started inside the tests (not in beforeAll), so a missing Chromium fails every
 * test by name instead of leaving them counted as skipped. `opts.fake` starts a fake
 * server first (its URL may go into the gateway's config: pass the config as a function
 * of it); `opts.chromiumArgs` go to Chromium.
 */
export function useUiFixture<F extends { close(): Promise<void> } | undefined = undefined>(
  extraConfig: Record<string, unknown> | ((fake: F) => Record<string, unknown>) = {},
  opts: { chromiumArgs?: string[]; fake?: () => Promise<F> } = {},
) {
  let started: Promise<{ browser: Browser; gateway: UiGateway; fake: F }> | undefined;
  afterAll(async () => {
    const fixture = await started?.catch(() => undefined);
    await fixture?.browser.close();
    await fixture?.gateway.close();
    await fixture?.fake?.close();
  });
  return () =>
    (started ??= (async () => {
      const fake = (await opts.fake?.()) as F;
      const config = typeof extraConfig === "function" ? extraConfig(fake) : extraConfig;
      const [browser, gateway] = await Promise.allSettled([
        launchChromium(opts.chromiumArgs),
        startUiGateway(config),
      ]);
      if (browser.status === "fulfilled" && gateway.status === "fulfilled") {
        return { browser: browser.value, gateway: gateway.value, fake };
      }
      if (browser.status === "fulfilled") await browser.value.close();
      if (gateway.status === "fulfilled") await gateway.value.close();
      await fake?.close();
      throw browser.status === "rejected" ? browser.reason : (gateway as PromiseRejectedResult).reason;
    })());
}

/** Collects page errors and CSP violations; a test asserts there were none. */
export async function openPage(
  browser: Browser,
  url: string,
  opts: {
    locale?: string;
    viewport?: { width: number; height: number };
    colorScheme?: "light" | "dark";
    /** Touch and mobile meta viewport, as a phone's browser. */
    mobile?: boolean;
  } = {},
): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await browser.newContext({
    locale: opts.locale ?? "en-US",
    ...(opts.viewport ? { viewport: opts.viewport } : {}),
    ...(opts.colorScheme ? { colorScheme: opts.colorScheme } : {}),
    ...(opts.mobile ? { isMobile: true, hasTouch: true } : {}),
  });
  const page = await context.newPage();
  // Fail with the selector that never appeared, well before the test timeout.
  page.setDefaultTimeout(10_000);
  const problems: string[] = [];
  page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
  page.on("console", (msg) => {
    if (msg.type() === "error") problems.push(`console error: ${msg.text()}`);
  });
  await page.goto(url);
  await page.waitForSelector("#app[data-rendered]");
  return { context, page, problems };
}

export async function connectWithToken(page: Page, token = TOKEN, remember = false): Promise<void> {
  await page.fill("#secret", token);
  if (remember) await page.check("#remember");
  await page.click("#connect");
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

/**
 * Chat pages for tests: `open()` connects with the token (optionally remembered, with the
 * clipboard granted) and waits for the composer; every context opened is closed after
 * each test, including those a test opens itself and pushes on `contexts`.
 */
export function useChatPages(ui: ReturnType<typeof useUiFixture>) {
  const contexts: BrowserContext[] = [];
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((c) => c.close()));
  });
  return {
    contexts,
    async open(opts: { remember?: boolean; clipboard?: boolean } = {}) {
      const { browser, gateway } = await ui();
      const { context, page, problems } = await openPage(browser, gateway.url);
      contexts.push(context);
      if (opts.clipboard) {
        await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: gateway.url });
      }
      await connectWithToken(page, undefined, opts.remember);
      await page.waitForSelector("#chat-input");
      return { page, problems };
    },
  };
}

/** Types `text` into the composer and sends it. */
export async function sendChat(page: Page, text: string): Promise<void> {
  await page.fill("#chat-input", text);
  await page.click("#chat-send");
}

/**
 * The text of each finished message bubble, without its chrome (actions, meta line, version
 * arrows, the name and time header): what the user wrote or the model answered.
 */
export function bubbles(page: Page): Promise<string[]> {
  return page.$$eval(".msg:not(.streaming)", (els) =>
    els.map((el) => {
      const copy = el.cloneNode(true) as typeof el;
      for (const junk of copy.querySelectorAll(".msg-actions, .turn-meta, .branch-nav, .msg-head"))
        junk.remove();
      return copy.textContent?.trim() ?? "";
    }),
  );
}

/** The default agent's session index in a gateway's state dir, for seeding rows before a test opens it. */
export function openSessionIndex(stateDir: string): SqliteSessionIndex {
  const dir = path.join(stateDir, "agents/main/sessions");
  mkdirSync(dir, { recursive: true });
  return new SqliteSessionIndex(path.join(dir, INDEX_FILE));
}

/** Every session transcript of the default agent in a gateway's state dir, concatenated. */
export function transcripts(stateDir: string): string {
  const dir = path.join(stateDir, "agents/main/sessions");
  return readdirSync(dir)
    .filter((f) => f.endsWith(".jsonl"))
    .map((f) => readFileSync(path.join(dir, f), "utf8"))
    .join("\n");
}

/**
 * A connected page on a new chat session, with every WebSocket frame it receives (to show
 * that a server-side key never reaches the page). The caller closes `context`.
 */
export async function openNewChat(
  browser: Browser,
  gateway: UiGateway,
): Promise<{ context: BrowserContext; page: Page; problems: string[]; frames: string[] }> {
  const { context, page, problems } = await openPage(browser, gateway.url);
  const frames: string[] = [];
  page.on("websocket", (ws) => ws.on("framereceived", (f) => frames.push(String(f.payload))));
  await connectWithToken(page);
  await page.waitForSelector("#chat-input");
  await page.click("#new-session");
  return { context, page, problems, frames };
}
