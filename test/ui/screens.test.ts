import { describe, expect, it } from "vitest";
import { connectWithToken, openPage, screenshot, useUiFixture } from "./harness.js";

const ui = useUiFixture();

describe("Control UI: every screen", () => {
  it("renders sessions, channels, logs and health without a script error or CSP violation", async () => {
    const { browser, gateway } = await ui();
    gateway.anthropic.setDefault({ text: "noted" });
    const { context, page, problems } = await openPage(browser, gateway.url);
    try {
      page.on("dialog", (dialog) => void dialog.accept());
      await connectWithToken(page);
      await page.fill("#chat-input", "make a session");
      await page.click("#chat-send");
      await page.waitForSelector(".msg.assistant >> text=noted");

      await page.click("nav a[data-nav=sessions]");
      const row = 'tr[data-key="agent:main:main"]';
      await page.waitForSelector(row);
      await screenshot(page, "sessions");
      // A row's actions are behind its "⋯" menu.
      await page.click(`${row} .session-more`);
      await page.click(`${row} .session-menu >> text=Reset`);
      await page.waitForSelector(".banner.ok >> text=Session agent:main:main was reset.");
      await page.click(`${row} .session-more`);
      await page.click(`${row} .session-menu >> text=Delete`);
      await page.waitForSelector(".banner.ok >> text=Session agent:main:main was deleted.");
      await page.waitForSelector(row, { state: "detached" });

      await page.click("nav a[data-nav=channels]");
      // An unconfigured channel offers guided setup (test/ui/channel-setup.test.ts).
      expect(await page.textContent('article[data-channel="whatsapp"] #setup-whatsapp-open')).toBe("Set up");
      await screenshot(page, "channels");

      await page.click("nav a[data-nav=logs]");
      await page.waitForSelector(".log.info >> text=/listening on/");
      await page.selectOption("#log-level", "error");
      await page.waitForSelector(".log.info", { state: "detached" });
      await screenshot(page, "logs");

      await page.click("nav a[data-nav=health]");
      expect(await (await page.waitForSelector("#health-state")).textContent()).toBe("The gateway is ready.");
      await screenshot(page, "health");
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

describe("Control UI: under gateway.controlUi.basePath", () => {
  const underBase = useUiFixture({ gateway: { controlUi: { basePath: "/control" } } });

  it("loads its assets and connects from /control (redirected to /control/)", async () => {
    const { browser, gateway } = await underBase();
    const { context, page, problems } = await openPage(browser, `${gateway.url}control`);
    try {
      expect(new URL(page.url()).pathname).toBe("/control/");
      await connectWithToken(page);
      await page.waitForSelector("#chat-input");
      const scripts = await page.$$eval("script[src]", (els) =>
        els.map((el) => (el as unknown as { src: string }).src),
      );
      expect(scripts.every((src) => new URL(src).pathname.startsWith("/control/assets/"))).toBe(true);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

describe("Control UI: gateway restart", () => {
  const restartable = useUiFixture();

  it("reconnects by itself when the gateway comes back", async () => {
    const { browser, gateway } = await restartable();
    gateway.anthropic.setDefault({ text: "back again" });
    const { context, page } = await openPage(browser, gateway.url);
    try {
      await connectWithToken(page);
      await page.waitForSelector("#chat-input");
      const lost = page.waitForSelector("text=/Connection lost/");
      await gateway.restart();
      await lost;
      await page.waitForSelector("#chat-input", { timeout: 20_000 });
      await page.fill("#chat-input", "still there?");
      await page.click("#chat-send");
      await page.waitForSelector(".msg.assistant >> text=back again");
    } finally {
      await context.close();
    }
  });
});
