/**
 * The denser finish, in Chromium: on a desktop with a mouse 13 px text and controls of at
 * most 32 px (composer, message tables, the sessions sidebar and table, the navigation), a
 * breadcrumb header over the chat with the sessions list's toggle, a small "+" (still
 * named "New session") that starts a session, and a faint drawn backdrop in both themes; a
 * finger keeps 44 px and 14 px (a phone, a touch screen of any size), and on a 390×844 phone
 * the chat has one top bar.
 */
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { en } from "../../ui/src/i18n/en.js";
import { connectWithToken, openPage, screenshot, sendChat, useChatPages, useUiFixture } from "./harness.js";

/** The browser's, for functions that run in the page (the tests compile without the DOM library). */
declare const getComputedStyle: (
  el: unknown,
  pseudo?: string,
) => { maskImage: string; backgroundColor: string; opacity: string; color: string };

const ui = useUiFixture();
const chat = useChatPages(ui);

const DESKTOP = { width: 1440, height: 900 };
const PHONE = { width: 390, height: 844 };
const ANSWER = "Here it is:\n\n| day | high |\n| --- | ---: |\n| Sat | 18 |\n| Sun | 16 |";

/** Visible controls matching `selector` and their heights (fixed-position ones included). */
function heights(page: Page, selector: string): Promise<{ name: string; h: number }[]> {
  return page.$$eval(selector, (els) =>
    els
      .filter((el) => el.checkVisibility())
      .map((el) => ({
        name: `${el.id || el.className || el.tagName}: ${el.textContent?.slice(0, 20)}`,
        h: el.getBoundingClientRect().height,
      })),
  );
}

/** A connected chat page; its context is closed after the test. */
async function open(opts: Parameters<typeof openPage>[2]) {
  const { browser, gateway } = await ui();
  const { context, page, problems } = await openPage(browser, gateway.url, opts);
  chat.contexts.push(context);
  await connectWithToken(page);
  await page.waitForSelector("#chat-input");
  return { page, problems };
}

const rootFontSize = (page: Page) =>
  page.evaluate<string>("getComputedStyle(document.documentElement).fontSize");
const box = async (page: Page, selector: string) => (await page.locator(selector).boundingBox())!;

describe("Control UI: the dense desktop and the phone's one bar", () => {
  it("on a 1440×900 desktop: 13 px text, controls of at most 32 px, a breadcrumb header, a + that starts a session", async () => {
    const { gateway } = await ui();
    gateway.anthropic.enqueue({ text: ANSWER });
    const { page, problems } = await open({ viewport: DESKTOP });
    await sendChat(page, "a table please");
    await page.locator(".msg.assistant .table-bar button").first().waitFor();
    await page.locator("#streaming").waitFor({ state: "detached" });

    expect(await rootFontSize(page)).toBe("13px");
    const controls = [
      ".composer button, .composer select",
      ".msg .table-bar button",
      ".sessions-side button, .sessions-side input",
      ".topbar nav a",
      ".chat-head button",
    ];
    for (const selector of controls) {
      const found = await heights(page, selector);
      expect(found.length, selector).toBeGreaterThan(0);
      expect(
        found.filter((c) => c.h > 32),
        selector,
      ).toEqual([]);
    }
    // One compact header row: "main / <session>" and the sessions list's toggle at its end.
    expect(await page.textContent(".chat-head .crumb")).toBe("main");
    expect((await box(page, ".chat-head")).height).toBeLessThanOrEqual(40);
    const head = await box(page, ".chat-head");
    const toggle = await box(page, "#side-toggle");
    expect(toggle.x + toggle.width).toBeGreaterThan(head.x + head.width - 40);

    // The small "+": a square icon button, still named and titled "New session"; it starts one.
    const plus = page.getByRole("button", { name: en["chat.newSession"], exact: true });
    const plusBox = (await plus.boundingBox())!;
    expect(plusBox.width).toBeLessThanOrEqual(32);
    expect(plusBox.height).toBeLessThanOrEqual(32);
    expect(await plus.getAttribute("title")).toBe(en["chat.newSessionKey"]);
    const before = await page.getAttribute("#chat-session", "data-key");
    await plus.click();
    await page.waitForSelector('#chat-session[data-key^="agent:main:ui-"]');
    const created = (await page.getAttribute("#chat-session", "data-key"))!;
    expect(created).not.toBe(before);
    await page.waitForSelector(`#session-list li[data-key="${created}"].active`);
    expect(await page.evaluate("document.activeElement?.id")).toBe("chat-input");
    await screenshot(page, "dense-desktop-chat");

    // One sidebar: the sessions are in the navigation column, the chat starts at its edge;
    // the toggle folds them away there (the list's head says so too) and back.
    const bar = await box(page, ".topbar");
    expect((await box(page, ".chat-main")).x).toBeLessThanOrEqual(bar.x + bar.width + 1);
    await page.click("#side-toggle");
    await page.waitForSelector(".sessions-side", { state: "hidden" });
    expect(await page.getAttribute("#side-toggle", "aria-expanded")).toBe("false");
    expect(await page.getAttribute(".nav-head", "aria-expanded")).toBe("false");
    // Folded on a desktop, the window narrowed to a phone's: its drawer still opens.
    await page.setViewportSize(PHONE);
    await page.click("#drawer-toggle");
    await page.waitForSelector("#session-list", { state: "visible" });
    await page.keyboard.press("Escape");
    await page.waitForSelector("#session-list", { state: "hidden" });
    await page.setViewportSize(DESKTOP);
    await page.click("#side-toggle");
    await page.waitForSelector(".sessions-side", { state: "visible" });

    // The Sessions screen's table: its buttons and fields are as compact.
    await page.click("nav a[data-nav=sessions]");
    await page.waitForSelector("#sessions-table tbody tr");
    const table = await heights(page, "#sessions-table button, main > section button, main > section select");
    expect(table.length).toBeGreaterThan(0);
    expect(table.filter((c) => c.h > 32)).toEqual([]);
    await screenshot(page, "dense-desktop-sessions");
    expect(problems).toEqual([]);
  });

  it.each(["light", "dark"] as const)(
    "draws the faint backdrop behind the chat in the %s theme",
    async (scheme) => {
      const { page } = await open({ viewport: DESKTOP, colorScheme: scheme });
      const drawn = await page.$eval(".chat-main", (el) => {
        const s = getComputedStyle(el, "::before");
        return {
          mask: s.maskImage,
          fill: s.backgroundColor,
          opacity: Number(s.opacity),
          text: getComputedStyle(el).color,
        };
      });
      expect(drawn.mask).toMatch(/^url\("data:image\/svg\+xml/);
      // In the text's colour (so it follows the theme), faint.
      expect(drawn.fill).toBe(drawn.text);
      expect(drawn.opacity).toBeGreaterThan(0);
      expect(drawn.opacity).toBeLessThanOrEqual(0.1);
      await screenshot(page, `dense-backdrop-${scheme}`);
    },
  );

  it("a touch screen of desktop size keeps 44 px controls and 14 px text", async () => {
    const { page } = await open({ viewport: DESKTOP, mobile: true });
    expect(await rootFontSize(page)).toBe("14px");
    const small = (await heights(page, "button, input, select, textarea")).filter((c) => c.h < 44);
    expect(small).toEqual([]);
  });

  it("on a 390×844 phone the chat has one top bar, 44 px buttons and no sideways scroll", async () => {
    const { gateway } = await ui();
    gateway.anthropic.enqueue({ text: ANSWER });
    const { page, problems } = await open({ viewport: PHONE, mobile: true });
    await sendChat(page, "a table please");
    await page.locator(".msg.assistant .table-bar button").first().waitFor();
    await page.locator("#streaming").waitFor({ state: "detached" });

    expect(await rootFontSize(page)).toBe("14px");
    // The menu button and the chat's own controls share one row at the top...
    const menu = await box(page, "#menu-toggle");
    const drawer = await box(page, "#drawer-toggle");
    expect(Math.abs(menu.y + menu.height / 2 - (drawer.y + drawer.height / 2))).toBeLessThanOrEqual(1);
    expect(menu.y).toBeLessThan(8);
    // ...so the conversation starts right under one 44 px bar (two stacked bars put it at ~100 px).
    expect((await box(page, "#messages")).y).toBeLessThanOrEqual(56);
    expect(await page.isVisible(".brand")).toBe(false);
    expect((await heights(page, "button, input, select, textarea")).filter((c) => c.h < 44)).toEqual([]);
    expect(await page.$eval("html", (el) => el.scrollWidth - el.clientWidth)).toBe(0);
    await screenshot(page, "dense-phone-chat");

    // The open menu brings the app bar back over it: brand, theme and language reachable.
    await page.click("#menu-toggle");
    await page.waitForSelector("nav a[data-nav=sessions]", { state: "visible" });
    for (const control of [".brand", "#theme", "#language"])
      expect(await page.isVisible(control), control).toBe(true);
    expect((await heights(page, ".topbar button, .topbar select")).filter((c) => c.h < 44)).toEqual([]);
    await screenshot(page, "dense-phone-menu");
    await page.click("#menu-toggle");
    await page.waitForSelector("#theme", { state: "hidden" });

    // The sessions drawer covers the bar; its "+" is a 44 px target and starts a session.
    await page.click("#drawer-toggle");
    await page.waitForSelector("#session-list", { state: "visible" });
    expect(await page.isVisible("#menu-toggle")).toBe(false);
    const plus = page.getByRole("button", { name: en["chat.newSession"], exact: true });
    expect((await plus.boundingBox())!.height).toBeGreaterThanOrEqual(44);
    await screenshot(page, "dense-phone-drawer");
    await plus.click();
    await page.waitForSelector('#chat-session[data-key^="agent:main:ui-"]');
    await page.waitForSelector("#session-list", { state: "hidden" });
    expect(problems).toEqual([]);
  });
});
