import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  connectWithToken,
  openPage,
  openSessionIndex,
  SCREENSHOT_DIR,
  screenshot,
  useUiFixture,
} from "./harness.js";

/** More than a page (50): sorting and selection must work on the server's order, not one page's. */
const SESSIONS = 300;
const key = (i: number) => `agent:main:discord:channel:${1000 + i}`;

const ui = useUiFixture();

/**
 * Rows as a long-running gateway leaves them: last activity grows with i, creation shrinks
 * with i, tokens peak at i = 150; two transcripts mention a bicycle (indexed as appended).
 */
let seeded = false;
function seed(stateDir: string): void {
  // One gateway serves the file's tests: seeded once, before its store is opened.
  if (seeded) return;
  seeded = true;
  const index = openSessionIndex(stateDir);
  index.put(
    Array.from({ length: SESSIONS }, (_, i) => ({
      key: key(i),
      entry: {
        sessionId: `s-${i}`,
        updatedAt: 1_700_000_000_000 + i * 1000,
        createdAt: 1_690_000_000_000 - i * 1000,
        totalTokens: 100_000 - Math.abs(150 - i) * 10,
        label: `room-${i}`,
      },
    })),
  );
  const said = (i: number, role: string, text: string) => ({
    sessionId: `s-${i}`,
    messages: [{ entryId: `m${i}`, role, timestamp: "2026-11-30T10:00:00.000Z", text }],
  });
  index.search!.addMany([said(42, "user", "Where did I park the bicycle yesterday?")], true);
  index.search!.addMany([said(7, "assistant", "Your bicycle is at the north gate, rack 3.")], true);
  index.search!.addMany(
    Array.from({ length: SESSIONS }, (_, i) => ({ sessionId: `s-${i}`, messages: [] })),
    true,
  );
  index.close();
}

describe("Control UI: managing sessions on the Sessions screen", () => {
  it("sorts by any column, searches transcripts and opens a match in chat, bulk archives, restores and deletes", async () => {
    const { browser, gateway } = await ui();
    seed(gateway.stateDir);
    const { context, page, problems } = await openPage(browser, gateway.url);
    try {
      await connectWithToken(page);
      await page.click("nav a[data-nav=sessions]");
      await page.waitForSelector("#sessions-pager >> text=1–50 of 300 rows");
      // Seeded rows were never read: the header counts this page's unread ones, none running.
      expect(await page.textContent("#sessions-facts")).toBe("300 · 0 Live · 50 Unread");
      /** Waits until the table's first rows are these (a sort or filter re-renders it). */
      const rowsStart = (...expected: string[]) =>
        expect
          .poll(async () => (await keys()).slice(0, expected.length), { timeout: 10_000 })
          .toEqual(expected);
      const keys = () =>
        page.$$eval("#sessions-table tbody tr[data-key]", (rows) =>
          rows.map((r) => r.getAttribute("data-key")),
        );
      await rowsStart(key(299));

      // Sorting is the server's, over all 300: tokens peak at 150, creation is oldest at 299.
      await page.click("button[data-sort=totalTokens]");
      await rowsStart(key(150));
      await page.click("button[data-sort=totalTokens]");
      await rowsStart(key(0));
      expect(await page.getAttribute("th[aria-sort=ascending] button", "data-sort")).toBe("totalTokens");
      await page.click("button[data-sort=createdAt]");
      await rowsStart(key(0));
      await page.click("#sessions-pager >> text=Next");
      await page.waitForSelector("#sessions-pager >> text=51–100 of 300");
      await rowsStart(key(50));
      await page.click("button[data-sort=name]");
      await page.waitForSelector("#sessions-pager >> text=1–50 of 300");
      await rowsStart(key(0), key(1), key(10)); // room-0, room-1, room-10
      await page.click("button[data-sort=updatedAt]");
      await rowsStart(key(299));

      // Transcript search: newest match first, the words marked, a click opens the session in chat.
      await page.fill("#transcript-search", "BICYCLE");
      await page.press("#transcript-search", "Enter");
      await page.waitForSelector("#transcript-results >> text=2 matching messages");
      expect(
        await page.$$eval("#transcript-results li", (li) => li.map((l) => l.getAttribute("data-key"))),
      ).toEqual([key(7), key(42)]);
      expect(
        await page.$$eval("#transcript-results li:first-child mark", (m) => m.map((x) => x.textContent)),
      ).toEqual(["bicycle"]);
      expect(await page.textContent("#transcript-results li:first-child")).toContain("room-7");
      // The screen as it opens (not the whole 50-row page): the picture in docs/control-ui.md.
      await page.screenshot({ path: path.join(SCREENSHOT_DIR, "sessions-search.png") });
      await page.click("#transcript-results li:first-child a");
      await page.waitForSelector(`#chat-session[data-key="${key(7)}"]`);
      expect(page.url()).toContain(`#/chat?session=${encodeURIComponent(key(7))}`);

      // Bulk archive three: gone from the default list, listed under Archived, restorable.
      await page.click("nav a[data-nav=sessions]");
      await page.waitForSelector("#sessions-pager >> text=1–50 of 300");
      for (const i of [299, 298, 297]) await page.check(`tr[data-key="${key(i)}"] td.pick input`);
      await page.waitForSelector("#sessions-bulk >> text=3 selected");
      await page.click("#sessions-bulk >> text=Archive");
      await page.waitForSelector("#sessions-pager >> text=1–50 of 297");
      await rowsStart(key(296));
      await page.selectOption("#sessions-status", "archived");
      await page.waitForSelector("#sessions-pager >> text=1–3 of 3");
      await rowsStart(key(299), key(298), key(297));
      expect(await page.textContent(`tr[data-key="${key(299)}"]`)).toContain("archived");
      await screenshot(page, "sessions-archived");
      // One row's actions are behind its "⋯": Restore there.
      await page.click(`tr[data-key="${key(298)}"] .session-more`);
      await page.click(`tr[data-key="${key(298)}"] .session-menu >> text=Restore`);
      await page.waitForSelector("#sessions-pager >> text=1–2 of 2");

      // Bulk delete the two still archived, after one confirmation.
      const dialogs: string[] = [];
      page.on("dialog", (d) => {
        dialogs.push(d.message());
        void d.accept();
      });
      await page.check("#sessions-table thead th.pick input");
      await page.waitForSelector("#sessions-bulk >> text=2 selected");
      await page.click("#sessions-bulk >> text=Delete");
      await page.waitForSelector("text=No sessions yet.");
      expect(dialogs).toEqual(["Delete 2 sessions? Their transcripts are kept on disk as .deleted files."]);
      await page.selectOption("#sessions-status", "all");
      await page.waitForSelector("#sessions-pager >> text=1–50 of 298");
      await rowsStart(key(298));
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  }, 120_000);

  it("fits a phone: no horizontal scroll at 390×844 and 44 px touch targets", async () => {
    const { browser, gateway } = await ui();
    seed(gateway.stateDir);
    const { context, page, problems } = await openPage(browser, gateway.url, {
      viewport: { width: 390, height: 844 },
      mobile: true,
    });
    try {
      await connectWithToken(page);
      await page.waitForSelector("#chat-input");
      await page.evaluate('location.hash = "#/sessions"');
      await page.waitForSelector("#sessions-pager >> text=/^1–50 of/");
      await page.fill("#transcript-search", "bicycle");
      await page.press("#transcript-search", "Enter");
      await page.waitForSelector("#transcript-results li");
      await page.check("#sessions-table tbody tr:first-child td.pick input");
      await page.waitForSelector("#sessions-bulk");
      expect(await page.$eval("html", (el) => el.scrollWidth)).toBeLessThanOrEqual(390);
      const small = await page.$$eval(
        "#sessions-table button, #sessions-bulk button, #transcript-results a, #sessions-table td.pick",
        (els) =>
          els
            .map((el) => el.getBoundingClientRect())
            .filter((r) => r.width > 0 && r.height < 44)
            .map((r) => `${r.width}x${r.height}`),
      );
      expect(small).toEqual([]);
      await page.screenshot({ path: path.join(SCREENSHOT_DIR, "sessions-phone.png") });
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  }, 60_000);
});
