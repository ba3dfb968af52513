/**
 * OpenClaw's one sidebar on a desktop (1280×800): the sessions list sits in the navigation
 * column under the screen links, on Chat and on the other screens; choosing a session opens
 * it in Chat; the chat header's toggle (or the list's own head) folds it away on every screen.
 */
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { connectWithToken, openPage, openSessionIndex, screenshot, useUiFixture } from "./harness.js";

const ui = useUiFixture();
const DESKTOP = { width: 1280, height: 800 };
const key = (name: string) => `agent:main:telegram:direct:${name}`;
const row = (name: string) => `#session-list li[data-key="${key(name)}"]`;

function seed(stateDir: string): void {
  const index = openSessionIndex(stateDir);
  const at = 1_700_000_000_000;
  index.put(
    ["ann", "bob"].map((name, i) => ({
      key: key(name),
      entry: { sessionId: `s-${name}`, updatedAt: at + i * 1000, label: name.toUpperCase() },
    })),
  );
  index.close();
}

const box = async (page: Page, selector: string) => (await page.locator(selector).boundingBox())!;

/** The session rows are in the navigation column, under its last screen link, and the page does not scroll sideways. */
async function expectInNav(page: Page): Promise<void> {
  await page.waitForSelector(row("ann"));
  expect(await page.$eval(row("ann"), (el) => el.closest(".topbar") !== null)).toBe(true);
  const [bar, lastLink, list, annRow] = await Promise.all([
    box(page, ".topbar"),
    box(page, "nav a[data-nav=health]"),
    box(page, "#session-list"),
    box(page, row("ann")),
  ]);
  expect(annRow.x).toBeGreaterThanOrEqual(bar.x);
  expect(annRow.x + annRow.width).toBeLessThanOrEqual(bar.x + bar.width);
  expect(list.y).toBeGreaterThan(lastLink.y + lastLink.height);
  // The foot stays at the bottom, under the list.
  expect((await box(page, "#disconnect")).y).toBeGreaterThan(list.y + list.height);
  expect(await page.$eval("html", (el) => el.scrollWidth - el.clientWidth)).toBe(0);
}

describe("Control UI: the sessions in the navigation column", () => {
  it("shows them under the screens on Chat and Sessions, opens the one chosen, and folds them away", async () => {
    const { browser, gateway } = await ui();
    seed(gateway.stateDir);
    const { context, page, problems } = await openPage(browser, gateway.url, { viewport: DESKTOP });
    try {
      await connectWithToken(page);
      await page.waitForSelector("#chat-input");
      await expectInNav(page);
      // One list, and the chat takes the width a second column took: it starts at the sidebar's edge.
      expect(await page.locator(".sessions-side").count()).toBe(1);
      const bar = await box(page, ".topbar");
      expect((await box(page, ".chat-main")).x).toBeLessThanOrEqual(bar.x + bar.width + 1);
      await screenshot(page, "nav-sessions-chat");

      await page.click(`${row("ann")} .session-open`);
      await page.waitForSelector(`#chat-session[data-key="${key("ann")}"]`);
      await page.waitForSelector(`${row("ann")}.active`);

      // The header's toggle folds the list away (its head stays) and back.
      await page.click("#side-toggle");
      await page.waitForSelector(".sessions-side", { state: "hidden" });
      expect(await page.getAttribute("#side-toggle", "aria-expanded")).toBe("false");
      expect(await page.getAttribute(".nav-head", "aria-expanded")).toBe("false");
      expect(await page.isVisible("#disconnect")).toBe(true);
      // Remembered from screen to screen: folded on Sessions too, where its head unfolds it.
      await page.click("nav a[data-nav=sessions]");
      await page.waitForSelector("#sessions-table tbody tr");
      expect(await page.getAttribute(".nav-head", "aria-expanded")).toBe("false");
      expect(await page.isVisible(".sessions-side")).toBe(false);
      await page.click(".nav-head");
      await page.waitForSelector(".sessions-side", { state: "visible" });
      await page.click("nav a[data-nav=chat]");
      await page.waitForSelector(".sessions-side", { state: "visible" });
      expect(await page.getAttribute("#side-toggle", "aria-expanded")).toBe("true");

      // On the Sessions screen the same list, none of it open; choosing one opens it in Chat.
      await page.click("nav a[data-nav=sessions]");
      await page.waitForSelector("#sessions-table tbody tr");
      await expectInNav(page);
      expect(await page.$(`#session-list li.active`)).toBeNull();
      await screenshot(page, "nav-sessions-sessions");
      await page.click(`${row("bob")} .session-open`);
      await page.waitForSelector(`#chat-session[data-key="${key("bob")}"]`);
      expect(await page.getAttribute('nav a[aria-current="page"]', "data-nav")).toBe("chat");
      await page.waitForSelector(`${row("bob")}.active`);

      // The keyboard reaches the list after the screen links, before the foot.
      await page.focus("nav a[data-nav=health]");
      await page.keyboard.press("Tab");
      expect(await page.evaluate("document.activeElement?.className")).toContain("nav-head");
      await page.keyboard.press("Tab");
      expect(
        await page.evaluate(
          "!!document.activeElement?.closest('.nav-sessions #session-list, .nav-sessions .side-head')",
        ),
      ).toBe(true);

      // Its "+" opens a new session in Chat.
      await page.click("nav a[data-nav=sessions]");
      await page.waitForSelector("#sessions-table tbody tr");
      await page.click("#new-session");
      await page.waitForSelector('#chat-session[data-key^="agent:main:ui-"]');
      const created = await page.getAttribute("#chat-session", "data-key");
      await page.waitForSelector(`#session-list li[data-key="${created}"].active`);

      // A tablet's width (a narrower sidebar): the same, the chat without sideways scroll.
      await page.setViewportSize({ width: 820, height: 800 });
      await expectInNav(page);
      await screenshot(page, "nav-sessions-tablet");
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  }, 60_000);
});
