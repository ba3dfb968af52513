import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { connectWithToken, openPage, screenshot, useUiFixture } from "./harness.js";

const ui = useUiFixture();

/** Each screen and what shows it has loaded. */
const SCREENS: [id: string, ready: string][] = [
  ["chat", ".msg.assistant"],
  ["sessions", "#sessions-table"],
  ["channels", 'article[data-channel="whatsapp"]'],
  ["automations", "section"],
  ["memory", "section"],
  ["skills", "section"],
  ["config", "section"],
  ["logs", ".log"],
  ["health", "#health-state"],
];

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };

/** Wider content than the window would let the whole page scroll sideways. */
function horizontalOverflow(page: Page): Promise<number> {
  return page.$eval("html", (el) => el.scrollWidth - el.clientWidth);
}

async function visit(page: Page, id: string, phone: boolean): Promise<void> {
  if (phone) {
    await page.click("#menu-toggle");
    await page.waitForSelector(`nav a[data-nav=${id}]`, { state: "visible" });
  }
  await page.click(`nav a[data-nav=${id}]`);
  await expect.poll(() => page.evaluate("location.hash"), { timeout: 10_000 }).toBe(`#/${id}`);
}

describe("Control UI: layout", () => {
  it("has no horizontal scroll at 390×844 on any screen, with touch-sized controls, and a drawer for the sessions", async () => {
    const { browser, gateway } = await ui();
    gateway.anthropic.setDefault({
      text: "A long line: `https://example.com/a/really/long/path/that/does/not/break/anywhere/at/all/0123456789`\n\n| a | b | c | d | e | f |\n|---|---|---|---|---|---|\n| 1 | 2 | 3 | 4 | 5 | 6 |",
    });
    const { context, page, problems } = await openPage(browser, gateway.url, {
      viewport: PHONE,
      mobile: true,
    });
    try {
      await connectWithToken(page);
      await page.fill("#chat-input", "hello from a phone");
      await page.click("#chat-send");
      await page.waitForSelector(".msg.assistant table");
      for (const [id, ready] of SCREENS) {
        if (id !== "chat") await visit(page, id, true);
        await page.waitForSelector(ready);
        expect(await horizontalOverflow(page), `screen ${id}`).toBe(0);
        await screenshot(page, `phone-${id}`);
      }
      // Every button and field on the chat screen is at least 44 px tall.
      await visit(page, "chat", true);
      await page.waitForSelector(".msg.assistant");
      const small = await page.$$eval("button, input, select, textarea, summary", (els) =>
        els
          .filter((el) => (el as unknown as { offsetParent: unknown }).offsetParent !== null)
          .map((el) => ({ id: el.id || el.className || el.tagName, h: el.getBoundingClientRect().height }))
          .filter((b) => b.h < 44),
      );
      expect(small).toEqual([]);

      // The sessions list is a drawer: hidden, then opened by its button, closed by choosing.
      expect(await page.isVisible("#session-list")).toBe(false);
      await page.click("#drawer-toggle");
      await page.waitForSelector("#session-list", { state: "visible" });
      await screenshot(page, "phone-chat-drawer");
      await page.click('#session-list li[data-key="agent:main:main"] .session-open');
      await page.waitForSelector("#session-list", { state: "hidden" });
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it("follows the system's dark theme, keeps a chosen theme across reloads, and has no sideways scroll at 1280×800", async () => {
    const { browser, gateway } = await ui();
    const { context, page, problems } = await openPage(browser, gateway.url, {
      viewport: DESKTOP,
      colorScheme: "dark",
    });
    const background = () => page.evaluate<string>("getComputedStyle(document.body).backgroundColor");
    try {
      await connectWithToken(page, undefined, true);
      await page.waitForSelector("#chat-input");
      expect(await page.getAttribute("#theme", "data-choice")).toBe("system");
      expect(await background()).toBe("rgb(21, 21, 23)");
      for (const [id, ready] of SCREENS) {
        await visit(page, id, false);
        await page.waitForSelector(ready === ".msg.assistant" ? "#chat-input" : ready);
        // The sessions list in the navigation column on every screen, and still no sideways scroll.
        await page.waitForSelector(".topbar #session-list");
        expect(await horizontalOverflow(page), `screen ${id}`).toBe(0);
        await screenshot(page, `desktop-dark-${id}`);
      }
      await visit(page, "chat", false);
      // System → light → dark: the choice wins over the system's and survives a reload.
      await page.click("#theme");
      expect(await page.getAttribute("#theme", "data-choice")).toBe("light");
      expect(await background()).toBe("rgb(245, 241, 234)");
      await page.click("#theme");
      expect(await page.getAttribute("html", "data-theme")).toBe("dark");
      await page.emulateMedia({ colorScheme: "light" });
      await page.reload();
      await page.waitForSelector("#chat-input");
      expect(await page.getAttribute("#theme", "data-choice")).toBe("dark");
      expect(await background()).toBe("rgb(21, 21, 23)");
      await screenshot(page, "desktop-dark-chat-chosen");
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it("has keyboard shortcuts: / focuses the composer, Ctrl+Shift+O opens a new session, Esc stops a run", async () => {
    const { browser, gateway } = await ui();
    gateway.anthropic.enqueue({ stall: "afterFirstToken" });
    const { context, page } = await openPage(browser, gateway.url, { viewport: DESKTOP });
    try {
      await connectWithToken(page);
      await page.waitForSelector("#chat-input");
      await page.click(".chat-head");
      await page.keyboard.press("/");
      expect(await page.evaluate("document.activeElement?.id")).toBe("chat-input");
      await page.keyboard.press("Control+Shift+O");
      await page.waitForSelector('#chat-session[data-key^="agent:main:ui-"]');
      await page.fill("#chat-input", "take your time");
      await page.keyboard.press("Enter");
      await page.waitForSelector("#streaming >> text=partial");
      await page.keyboard.press("Escape");
      await page.waitForSelector(".msg.assistant >> text=Stopped.");
    } finally {
      await context.close();
    }
  });
});
