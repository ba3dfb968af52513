import { readFileSync } from "node:fs";
import type { Page } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import { type FakeTelegram, startFakeTelegram } from "../fakes/telegram/index.js";
import { connectWithToken, openPage, screenshot, useUiFixture } from "./harness.js";

const ui = useUiFixture();
/** Shaped like a bot token, but not the fake Bot API's: it answers 401. */
const WRONG_TOKEN = "987654321:AAWrongWrongWrongWrongWrongWrong_xyz12";
let telegram: FakeTelegram | undefined;
afterAll(async () => {
  await telegram?.close();
});

/** Every WebSocket frame the gateway sent the page, as text. */
function recordReplies(page: Page): string[] {
  const frames: string[] = [];
  page.on("websocket", (ws) => ws.on("framereceived", (f) => frames.push(String(f.payload))));
  return frames;
}

/** The page's markup plus every field's current value (a value typed is not in the markup). */
function pageText(page: Page): Promise<string> {
  return page.evaluate(
    `document.documentElement.outerHTML + [...document.querySelectorAll("input, textarea")].map((e) => e.value).join("\\n")`,
  );
}

async function openChannels(page: Page): Promise<void> {
  await connectWithToken(page);
  await page.click("nav a[data-nav=channels]");
}

describe("Control UI: guided channel setup", () => {
  it("sets Telegram up against the fake Bot API, sees it connect, and never shows the token back", async () => {
    const { browser, gateway } = await ui();
    telegram = await startFakeTelegram();
    const { context, page, problems } = await openPage(browser, gateway.url);
    const replies = recordReplies(page);
    try {
      await openChannels(page);
      await page.click("#setup-telegram-open");
      await page.waitForSelector("#setup-telegram >> text=Open t.me");

      // A token copied wrong is caught before anything is saved, in one sentence.
      await page.fill("#setup-telegram-botToken", "12345:short");
      await page.click("#setup-telegram-save");
      await page.waitForSelector("#setup-telegram-error >> text=Not a Telegram bot token");
      expect(await page.getAttribute("#setup-telegram-botToken", "aria-invalid")).toBe("true");

      // A well-formed token Telegram refuses: saved, started, and the channel's own error shown.
      await page.fill("#setup-telegram-botToken", WRONG_TOKEN);
      await page.click("#setup-telegram .setup-advanced summary");
      await page.fill("#setup-telegram-apiRoot", telegram.apiRoot);
      expect(await page.isChecked('#setup-telegram-dm input[value="pairing"]')).toBe(true);
      expect(await page.isChecked('#setup-telegram-group input[value="allowlist"]')).toBe(true);
      await screenshot(page, "channel-setup-telegram");
      await page.click("#setup-telegram-save");
      await page.waitForSelector("#setup-telegram-failed >> text=Telegram did not connect");
      await page.click("#setup-telegram-failed >> text=Change the values");
      // The token field starts empty again; the other values stay.
      expect(await page.inputValue("#setup-telegram-botToken")).toBe("");
      expect(await page.inputValue("#setup-telegram-apiRoot")).toBe(telegram.apiRoot);
      await page.fill("#setup-telegram-botToken", telegram.token);
      // What pageText() reads does see a typed secret: the checks below can fail.
      expect(await pageText(page)).toContain(telegram.token);
      await page.click("#setup-telegram-save");

      // The live reload starts the channel; the flow watches it log in to the fake.
      await page.waitForSelector("#setup-telegram-connected >> text=openclaw_test_bot");
      await page.waitForSelector('article[data-channel="telegram"] >> text=connected');
      expect(telegram.calls.some((c) => c.method === "getMe")).toBe(true);
      await screenshot(page, "channel-setup-telegram-connected");

      const saved = JSON.parse(readFileSync(gateway.configFile, "utf8")).channels.telegram;
      expect(saved).toMatchObject({
        enabled: true,
        botToken: telegram.token,
        apiRoot: telegram.apiRoot,
        dmPolicy: "pairing",
        groupPolicy: "allowlist",
      });

      // The Config screen reads the config back (config.get): the token comes back redacted.
      await page.click("nav a[data-nav=config]");
      await page.waitForSelector("#config-tab-raw");
      await page.click("#config-tab-raw");
      await page.waitForSelector("textarea");
      expect(replies.some((f) => f.includes("__OPENCLAW_REDACTED__"))).toBe(true);
      expect(await pageText(page)).not.toContain(telegram.token);
      expect(await pageText(page)).not.toContain(WRONG_TOKEN);
      await page.click("nav a[data-nav=channels]");
      await page.waitForSelector('article[data-channel="telegram"] >> text=connected');
      expect(await pageText(page)).not.toContain(telegram.token);
      // No reply (config.get, config.patch, channels.status…) ever carried it.
      expect(replies.length).toBeGreaterThan(5);
      expect(replies.filter((f) => f.includes(telegram!.token) || f.includes(WRONG_TOKEN))).toEqual([]);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it("offers Slack's manifest and Discord's invite link on a phone without sideways scroll", async () => {
    const { browser, gateway } = await ui();
    const { context, page, problems } = await openPage(browser, gateway.url, {
      viewport: { width: 390, height: 844 },
      mobile: true,
      locale: "zh-CN",
    });
    try {
      await connectWithToken(page);
      await page.click("#menu-toggle");
      await page.click("nav a[data-nav=channels]");
      await page.click("#setup-slack-open");
      const manifest = JSON.parse((await page.textContent("#setup-slack-manifest")) ?? "");
      expect(manifest.settings.socket_mode_enabled).toBe(true);
      expect(manifest.oauth_config.scopes.bot).toEqual(expect.arrayContaining(["chat:write", "im:history"]));
      await page.waitForSelector("#setup-slack >> text=设置 Slack");
      await page.fill("#setup-slack-botToken", "xapp-wrong-kind-of-token");
      await page.click("#setup-slack-save");
      await page.waitForSelector("#setup-slack-error >> text=xoxb-");
      expect(await page.$eval("html", (el) => el.scrollWidth - el.clientWidth)).toBe(0);
      // Every control in the flow is a 44 px touch target.
      const small = await page.$$eval(
        "#setup-slack button, #setup-slack input, #setup-slack summary, #setup-slack .setup-steps a",
        (els) =>
          els
            .filter((e) => {
              const r = e.getBoundingClientRect();
              return r.height > 0 && r.height < 44 && e.getAttribute("type") !== "radio";
            })
            .map((e) => e.outerHTML.slice(0, 80)),
      );
      expect(small).toEqual([]);
      await screenshot(page, "phone-channel-setup-slack");
      await page.click("#setup-slack-close");

      await page.click("#setup-discord-open");
      await page.fill("#setup-discord-applicationId", "123456789012345678");
      const invite = new URL((await page.getAttribute("#setup-discord-invite", "href")) ?? "");
      expect(invite.origin + invite.pathname).toBe("https://discord.com/oauth2/authorize");
      expect(invite.searchParams.get("client_id")).toBe("123456789012345678");
      expect(invite.searchParams.get("scope")).toBe("bot");
      // View channels, send messages (and in threads), embed links, attach files, read history, react.
      expect(BigInt(invite.searchParams.get("permissions") ?? "0")).toBe(274_878_024_768n);
      expect(await page.$eval("html", (el) => el.scrollWidth - el.clientWidth)).toBe(0);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
