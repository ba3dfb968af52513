import { describe, expect, it } from "vitest";
import { connectWithToken, openPage, openSessionIndex, screenshot, useUiFixture } from "./harness.js";

/** A gateway that has served a busy household for a while: far more sessions than one page. */
const SESSIONS = 5000;
const CHANNELS = ["discord", "telegram", "whatsapp", "slack"];

const ui = useUiFixture();

let seeded = false;

/** Rows as a long-running gateway leaves them, written (once) before anything opens the store. */
function seed(stateDir: string): void {
  if (seeded) return;
  seeded = true;
  const index = openSessionIndex(stateDir);
  index.put(
    Array.from({ length: SESSIONS }, (_, i) => {
      const channel = CHANNELS[i % CHANNELS.length] ?? "discord";
      return {
        key: `agent:main:${channel}:channel:${10_000 + i}`,
        entry: { sessionId: `s-${i}`, updatedAt: 1_700_000_000_000 + i * 1000, channel, label: `room-${i}` },
      };
    }),
  );
  index.close();
}

describe("Control UI: the chat's sessions sidebar", () => {
  it("pages through 5,000 sessions newest first, searches them, and deletes one after confirming", async () => {
    const { browser, gateway } = await ui();
    seed(gateway.stateDir);
    const { context, page, problems } = await openPage(browser, gateway.url);
    try {
      await connectWithToken(page);
      await page.waitForSelector("#session-count >> text=100 of 5000");
      const keys = () =>
        page.$$eval("#session-list li[data-key]", (rows) =>
          rows.map((r) => r.getAttribute("data-key") ?? ""),
        );
      // The UI's own main session (nothing sent yet) on top, then the newest.
      expect((await keys()).slice(0, 2)).toEqual(["agent:main:main", "agent:main:slack:channel:14999"]);
      expect(await page.textContent('li[data-key="agent:main:slack:channel:14999"] .chan')).toBe("S");
      await screenshot(page, "chat-sidebar");

      // Scrolling to the end of the list loads the next page, until all are there.
      // (The list's end may come into view again after a page, which loads the next one by itself.)
      const shownCount = () =>
        page.$eval("#session-count", (el) => Number.parseInt(el.textContent ?? "", 10));
      for (let shown = await shownCount(); shown < SESSIONS; shown = await shownCount()) {
        await page.$eval("#session-list", (el) => el.scrollTo(0, el.scrollHeight));
        await expect.poll(shownCount, { timeout: 10_000 }).toBeGreaterThan(shown);
      }
      await page.waitForSelector("#session-count >> text=5000 of 5000");
      expect(await page.$("#sessions-more")).toBeNull();
      const all = (await keys()).slice(1);
      expect(all.length).toBe(SESSIONS);
      expect(new Set(all).size).toBe(SESSIONS);
      const order = all.map((k) => Number(k.split(":").at(-1)));
      expect(order).toEqual([...order].sort((a, b) => b - a));

      await page.fill("#session-search", "room-4998");
      await page.waitForSelector("#session-count >> text=1 of 1");
      const row = 'li[data-key="agent:main:whatsapp:channel:14998"]';
      expect(await page.textContent(`${row} .session-title`)).toBe("room-4998");

      page.once("dialog", (dialog) => void dialog.accept());
      await page.click(`${row} .session-more`);
      await page.click(`${row} .session-menu >> text=Delete`);
      await page.waitForSelector("#session-count >> text=0 of 0");
      await page.fill("#session-search", "");
      await page.waitForSelector("#session-count >> text=100 of 4999");

      // Opening a session from the list shows its (empty) transcript under its key.
      await page.click('li[data-key="agent:main:telegram:channel:14993"] .session-open');
      await page.waitForSelector('#chat-session[data-key="agent:main:telegram:channel:14993"]');
      expect(await page.getAttribute('li[data-key="agent:main:telegram:channel:14993"]', "class")).toContain(
        "active",
      );
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  }, 180_000);

  it("renames a session: the label shows at once, in the same place, and after a reload", async () => {
    const { browser, gateway } = await ui();
    seed(gateway.stateDir);
    const { context, page, problems } = await openPage(browser, gateway.url);
    try {
      await connectWithToken(page, undefined, true);
      const row = 'li[data-key="agent:main:discord:channel:14996"]';
      await page.waitForSelector(`${row} .session-title >> text=room-4996`);
      const position = () =>
        page.$$eval(
          "#session-list li[data-key]",
          (rows, key) => rows.findIndex((r) => r.getAttribute("data-key") === key),
          "agent:main:discord:channel:14996",
        );
      const before = await position();
      page.once("dialog", (dialog) => {
        expect(dialog.type()).toBe("prompt");
        expect(dialog.defaultValue()).toBe("room-4996");
        void dialog.accept("Family trip 🏕");
      });
      await page.click(`${row} .session-more`);
      await page.click(`${row} .session-menu >> text=Rename`);
      await page.waitForSelector(`${row} .session-title >> text=Family trip 🏕`);
      expect(await position()).toBe(before);
      // Opened, the chat's head names it too (the key after the name).
      await page.click(`${row} .session-open`);
      await page.waitForSelector("#chat-session strong >> text=Family trip 🏕");
      expect(await page.textContent("#chat-session")).toBe("Family trip 🏕 agent:main:discord:channel:14996");
      await screenshot(page, "chat-sidebar-renamed");

      // Kept by the gateway: a reload (the token remembered) shows the label, still in its place.
      await page.reload();
      await page.waitForSelector(`${row} .session-title >> text=Family trip 🏕`);
      expect(await position()).toBe(before);
      expect(await page.getAttribute(`${row} .session-open`, "title")).toBe(
        "agent:main:discord:channel:14996",
      );
      // The search finds it by its new label.
      await page.fill("#session-search", "family trip");
      await page.waitForSelector("#session-count >> text=1 of 1");
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  }, 60_000);

  it("keeps the pages and the scroll position of a user far down the list when a run ends", async () => {
    const { browser, gateway } = await ui();
    seed(gateway.stateDir);
    gateway.anthropic.enqueue({ text: "done" });
    const { context, page, problems } = await openPage(browser, gateway.url);
    try {
      await connectWithToken(page);
      await page.waitForSelector("#session-count >> text=/^100 of/");
      const shown = () => page.$eval("#session-count", (el) => Number.parseInt(el.textContent ?? "", 10));
      while ((await shown()) < 300) {
        const now = await shown();
        await page.$eval("#session-list", (el) => el.scrollTo(0, el.scrollHeight));
        await expect.poll(shown, { timeout: 10_000 }).toBeGreaterThan(now);
      }
      // Somewhere in the middle of what is loaded, reading.
      const top = await page.$eval("#session-list", (el) => {
        el.scrollTo(0, Math.round(el.scrollHeight / 2));
        return el.scrollTop;
      });
      const loaded = await shown();
      // The row at the top of the view, and how far below the list's top edge it starts.
      const reading = () =>
        page.$eval("#session-list", (list) => {
          const top = list.getBoundingClientRect().top;
          const row = [...list.querySelectorAll("li[data-key]")].find(
            (r) => r.getBoundingClientRect().bottom > top + 1,
          );
          return {
            key: row?.getAttribute("data-key") ?? "",
            offset: row ? row.getBoundingClientRect().top - top : 0,
          };
        });
      const offsetOf = (key: string) =>
        page.$eval(
          "#session-list",
          (list, k) => {
            const row = list.querySelector(`li[data-key="${k}"]`);
            return row ? row.getBoundingClientRect().top - list.getBoundingClientRect().top : Number.NaN;
          },
          key,
        );
      // Two frames: whatever the browser lays out lazily after a change has been laid out.
      const settled = () =>
        page.evaluate("new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))");
      const before = await reading();

      // A run in the main session (on top, not yet in the store) ends: the list learns of it.
      await page.fill("#chat-input", "hello");
      await page.click("#chat-send");
      await page.waitForSelector('li[data-key="agent:main:main"] .session-more');
      // Every page still there, plus the main session now in the store.
      expect(await shown()).toBe(loaded + 1);
      // The row being read is where it was: not thrown back to the top (the old reload did
      // that), not shifted by the rows that moved above it, nor by rows laid out lazily
      // (content-visibility: auto) as the list re-renders.
      expect(Math.abs((await offsetOf(before.key)) - before.offset)).toBeLessThan(1);
      await settled();
      expect(Math.abs((await offsetOf(before.key)) - before.offset)).toBeLessThan(1);
      expect((await reading()).key).toBe(before.key);
      expect(await page.$eval("#session-list", (el) => el.scrollTop)).toBeGreaterThan(top / 2);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  }, 120_000);
});
