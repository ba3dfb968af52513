import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { en } from "../../ui/src/i18n/en.js";
import { connectWithToken, openPage, screenshot, useUiFixture } from "./harness.js";

const ui = useUiFixture();

/** The browser's, for functions that run in the page (the tests compile without the DOM library). */
declare const getComputedStyle: (el: unknown, pseudo: string) => { getPropertyValue(name: string): string };

const SCREENS = [
  "chat",
  "sessions",
  "channels",
  "automations",
  "memory",
  "skills",
  "config",
  "logs",
  "health",
];
/** WCAG 2.x AA for normal-size text (large text needs only 3:1; we hold all text to 4.5:1). */
const AA = 4.5;

/**
 * Every visible piece of text in the page (an element with its own text node: body text,
 * headings, table cells, links, buttons) and the contrast of its colour against the
 * background actually behind it: the element's and its ancestors' backgrounds, composited
 * (translucent tints such as the active navigation item blend with what is under them).
 * Disabled controls are exempt (WCAG 1.4.3), and so is text under a translucent ancestor
 * (a message being sent, an archived row), whose dimming is the point.
 */
const CONTRAST_SCRIPT = `(() => {
  const parse = (c) => {
    const m = /^rgba?\\(([\\d.]+), ([\\d.]+), ([\\d.]+)(?:, ([\\d.]+))?\\)$/.exec(c);
    if (!m) throw new Error("colour not in rgb(): " + c);
    return [+m[1], +m[2], +m[3], m[4] === undefined ? 1 : +m[4]];
  };
  const lum = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const over = (top, under) => [0, 1, 2].map((i) => top[i] * top[3] + under[i] * (1 - top[3])).concat(1);
  const backdrop = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const bg = parse(getComputedStyle(e).backgroundColor);
      if (bg[3] > 0) layers.push(bg);
      if (bg[3] === 1) break;
    }
    let colour = [255, 255, 255, 1];
    for (const layer of layers.reverse()) colour = over(layer, colour);
    return colour;
  };
  const dimmed = (el) => {
    for (let e = el; e; e = e.parentElement) if (+getComputedStyle(e).opacity < 1) return true;
    return false;
  };
  const out = [];
  for (const el of document.querySelectorAll("body *")) {
    const own = [...el.childNodes].filter((n) => n.nodeType === 3 && n.textContent.trim()).map((n) => n.textContent.trim()).join(" ");
    const box = el.getBoundingClientRect();
    if (!own || box.width === 0 || box.height === 0 || el.closest(".sr-only, .offscreen, option")) continue;
    if (el.disabled || el.closest("button:disabled") || dimmed(el)) continue;
    const style = getComputedStyle(el);
    if (style.visibility !== "visible") continue;
    const fg = over(parse(style.color), backdrop(el));
    const [a, b] = [lum(fg), lum(backdrop(el))];
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    out.push({ text: own.slice(0, 40), tag: el.tagName.toLowerCase() + (el.className ? "." + String(el.className).split(" ").join(".") : ""), ratio: Math.round(ratio * 100) / 100 });
  }
  return out;
})()`;

interface Sample {
  text: string;
  tag: string;
  ratio: number;
}

async function contrast(page: Page): Promise<Sample[]> {
  return page.evaluate<Sample[]>(CONTRAST_SCRIPT);
}

async function show(page: Page, id: string, ready: string): Promise<void> {
  await page.click(`nav a[data-nav=${id}]`);
  await page.waitForSelector(ready);
}

describe("Control UI: look", () => {
  it("names every navigation link and icon button, and draws an icon beside each screen's name", async () => {
    const { browser, gateway } = await ui();
    const { context, page, problems } = await openPage(browser, gateway.url, {
      viewport: { width: 1280, height: 800 },
    });
    try {
      await connectWithToken(page);
      await page.waitForSelector("#chat-input");
      for (const id of SCREENS) {
        const name = en[`nav.${id}` as keyof typeof en];
        const link = page.getByRole("link", { name, exact: true });
        expect(await link.getAttribute("data-nav"), `link named ${name}`).toBe(id);
        const icon = await link.evaluate((a) =>
          getComputedStyle(a, "::before").getPropertyValue("mask-image"),
        );
        expect(icon, `icon of ${id}`).toMatch(/^url\("data:image\/svg\+xml/);
      }
      // The active screen is told apart by more than colour: to a screen reader too.
      expect(await page.getAttribute('nav a[aria-current="page"]', "data-nav")).toBe("chat");
      expect(
        await page.getByRole("button", { name: `${en["app.theme"]}: ${en["theme.system"]}` }).count(),
      ).toBe(1);
      expect(await page.getByRole("button", { name: en["app.disconnect"], exact: true }).count()).toBe(1);
      // On a phone the screens hide behind the menu button, named as such.
      await page.setViewportSize({ width: 390, height: 844 });
      await page.getByRole("button", { name: en["app.menu"], exact: true }).click();
      await page.waitForSelector("nav a[data-nav=sessions]", { state: "visible" });
      await screenshot(page, "look-phone-menu");
      await page.getByRole("link", { name: en["nav.sessions"], exact: true }).click();
      await page.waitForSelector('nav a[data-nav=sessions][aria-current="page"]', { state: "attached" });
      expect(await page.evaluate("location.hash")).toBe("#/sessions");
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  for (const scheme of ["light", "dark"] as const) {
    it(`keeps body text, links and buttons at WCAG AA contrast in the ${scheme} theme`, async () => {
      const { browser, gateway } = await ui();
      gateway.anthropic.setDefault({
        text: "Here is **a list**:\n\n- one\n- [a link](https://example.com)\n\n| a | b |\n| --- | --- |\n| 1 | 2 |\n\n```js\nlet x = 1;\n```",
      });
      const { context, page, problems } = await openPage(browser, gateway.url, {
        viewport: { width: 1280, height: 800 },
        colorScheme: scheme,
      });
      try {
        await page.waitForSelector("#connect");
        const checked: Sample[] = await contrast(page);
        await connectWithToken(page);
        await page.fill("#chat-input", "plan my week");
        await page.click("#chat-send");
        await page.waitForSelector(".msg.assistant table");
        checked.push(...(await contrast(page)));
        await show(page, "sessions", "#sessions-table");
        // With a row's menu open: its items (Delete is a danger button) are checked too.
        await page.click("#sessions-table tbody tr:first-child .session-more");
        await page.waitForSelector("#sessions-table .session-menu");
        checked.push(...(await contrast(page)));
        await show(page, "channels", 'article[data-channel="whatsapp"]');
        checked.push(...(await contrast(page)));
        await screenshot(page, `look-channels-${scheme}`);
        // What the check saw: the text of each kind it must cover.
        const tags = checked.map((s) => s.tag);
        for (const kind of [
          /^button$/,
          /^button\.secondary/,
          /^button\.danger/,
          /^a\.active$/,
          /^a$/,
          /^td/,
          /^p/,
        ]) {
          expect(
            tags.some((t) => kind.test(t)),
            `no ${kind} checked`,
          ).toBe(true);
        }
        expect(checked.filter((s) => s.ratio < AA)).toEqual([]);
        expect(problems).toEqual([]);
      } finally {
        await context.close();
      }
    });
  }
});
