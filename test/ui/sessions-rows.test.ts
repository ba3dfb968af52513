import { describe, expect, it } from "vitest";
import {
  connectWithToken,
  openPage,
  openSessionIndex,
  screenshot,
  sendChat,
  useUiFixture,
} from "./harness.js";

const ui = useUiFixture();
const T = 1_700_000_000_000;
const MAIN = "agent:main:main";
const CRON = "agent:main:cron:nightly";
const GROUP = "agent:main:telegram:group:-100123";
const ERRANDS = "agent:main:ui-errands";

/** Four sessions of three kinds; only the errands one has activity since it was last read. */
let seeded = false;
function seed(stateDir: string): void {
  if (seeded) return;
  seeded = true;
  const index = openSessionIndex(stateDir);
  const row = (key: string, i: number, extra: Record<string, unknown> = {}) => ({
    key,
    entry: {
      sessionId: `s-${i}`,
      createdAt: T,
      updatedAt: T + i * 1000,
      lastReadAt: T + i * 1000,
      totalTokens: 123_456,
      model: "claude-sonnet-4-5",
      ...extra,
    },
  });
  index.put([
    row(MAIN, 4),
    row(CRON, 3),
    row(GROUP, 2, { label: "Family" }),
    row(ERRANDS, 1, { label: "Errands", lastReadAt: undefined }),
  ]);
  index.close();
}

const menuOf = (key: string) => `tr[data-key="${key}"] .session-menu`;
const moreOf = (key: string) => `tr[data-key="${key}"] .session-more`;

describe("Control UI: Sessions screen rows", () => {
  it("shows each session's kind and status, counts live and unread, and acts through one row menu", async () => {
    const { browser, gateway } = await ui();
    seed(gateway.stateDir);
    const { context, page, problems } = await openPage(browser, gateway.url);
    try {
      await connectWithToken(page);
      await page.click("nav a[data-nav=sessions]");
      await page.waitForSelector("#sessions-pager >> text=1–4 of 4 rows");
      expect(await page.textContent("#sessions-facts")).toBe("4 · 0 Live · 1 Unread");
      const cells = (sel: string) =>
        page.$$eval(
          `#sessions-table tbody tr`,
          (rows, s) => rows.map((r) => r.querySelector(s)?.textContent),
          sel,
        );
      expect(await cells("td.kind")).toEqual(["direct", "cron", "group", "direct"]);
      expect(await cells("td.state")).toEqual(["Idle", "Idle", "Idle", "Idle"]);
      // Six columns and the "⋯" fit the desktop window: no sideways scroll.
      expect(await page.$eval("html", (el) => el.scrollWidth - el.clientWidth)).toBe(0);
      expect(
        await page.$$eval(".unread-dot", (d) => d.map((x) => x.closest("tr")?.getAttribute("data-key"))),
      ).toEqual([ERRANDS]);

      // Keyboard: Enter opens the menu on its first item, arrows move (and wrap), Esc closes it
      // and gives focus back to the row's "⋯".
      const focused = () =>
        page.$eval(":focus", (el) => `${el.closest("tr")?.getAttribute("data-key")} ${el.textContent}`);
      await page.focus(moreOf(ERRANDS));
      await page.keyboard.press("Enter");
      await page.waitForSelector(menuOf(ERRANDS));
      expect(await page.getAttribute(moreOf(ERRANDS), "aria-expanded")).toBe("true");
      expect(
        await page.$$eval(`${menuOf(ERRANDS)} [role=menuitem]`, (b) => b.map((x) => x.textContent)),
      ).toEqual(["Archive", "Reset", "Delete"]);
      expect(await focused()).toBe(`${ERRANDS} Archive`);
      await page.keyboard.press("ArrowDown");
      expect(await focused()).toBe(`${ERRANDS} Reset`);
      await page.keyboard.press("ArrowUp");
      await page.keyboard.press("ArrowUp");
      expect(await focused()).toBe(`${ERRANDS} Delete`);
      // The menu drops just below its "⋯", within the window.
      const [button, menu] = await Promise.all([
        page.locator(moreOf(ERRANDS)).boundingBox(),
        page.locator(menuOf(ERRANDS)).boundingBox(),
      ]);
      expect(Math.abs((menu?.y ?? 0) - ((button?.y ?? 0) + (button?.height ?? 0)))).toBeLessThan(8);
      expect((menu?.x ?? 0) + (menu?.width ?? 0)).toBeLessThanOrEqual(1280);
      await screenshot(page, "sessions-row-menu");
      await page.keyboard.press("Escape");
      await page.waitForSelector(menuOf(ERRANDS), { state: "detached" });
      expect(await focused()).toBe(`${ERRANDS} ⋯`);

      // One menu at a time (it drops over the rows below); a click elsewhere closes it.
      // The main session cannot be archived.
      await page.click(moreOf(CRON));
      await page.click(moreOf(MAIN));
      await page.waitForSelector(menuOf(CRON), { state: "detached" });
      expect(
        await page.$$eval(`${menuOf(MAIN)} [role=menuitem]`, (b) => b.map((x) => x.textContent)),
      ).toEqual(["Reset", "Delete"]);
      await page.click("h1");
      await page.waitForSelector(menuOf(MAIN), { state: "detached" });

      // Reset and Delete ask first; declining changes nothing.
      const answers = [false, true, true];
      const asked: string[] = [];
      page.on("dialog", (d) => {
        asked.push(d.message());
        void (answers.shift() ? d.accept() : d.dismiss());
      });
      await page.click(moreOf(CRON));
      await page.click(`${menuOf(CRON)} >> text=Reset`);
      await page.waitForSelector(menuOf(CRON), { state: "detached" });
      await page.click(moreOf(CRON));
      await page.click(`${menuOf(CRON)} >> text=Reset`);
      await page.waitForSelector(`.banner.ok >> text=Session ${CRON} was reset.`);
      await page.click(moreOf(GROUP));
      await page.click(`${menuOf(GROUP)} >> text=Delete`);
      await page.waitForSelector("#sessions-pager >> text=1–3 of 3 rows");
      expect(asked).toEqual([
        `Start session ${CRON} afresh? Its transcript is archived.`,
        `Start session ${CRON} afresh? Its transcript is archived.`,
        `Delete session ${GROUP}?`,
      ]);

      // A run going (the chat in another tab waits on the model): its row is Live, and counted.
      gateway.anthropic.enqueue({ stall: "afterFirstToken" });
      const chat = await context.newPage();
      await chat.goto(gateway.url);
      await connectWithToken(chat);
      await chat.waitForSelector("#chat-input");
      await sendChat(chat, "take your time");
      await chat.waitForSelector("#streaming >> text=partial");
      // Esc in the sidebar's row menu closes the menu only (the chat's Esc stops a run).
      await chat.click(`li[data-key="${MAIN}"] .session-more`);
      await chat.keyboard.press("Escape");
      await chat.waitForSelector(`li[data-key="${MAIN}"] .session-menu`, { state: "detached" });
      await page.click("text=Refresh");
      await page.waitForSelector(`tr[data-key="${MAIN}"] td.state.live >> text=Live`);
      expect(await page.textContent("#sessions-facts")).toMatch(/^3 · 1 Live · /);
      await screenshot(page, "sessions-live");
      await chat.click("#chat-stop");
      await chat.waitForSelector("#chat-stop", { state: "detached" });
      await page.click("text=Refresh");
      await page.waitForSelector(`tr[data-key="${MAIN}"] td.state >> text=Idle`);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  }, 90_000);

  it("names kinds and statuses in Chinese too", async () => {
    const { browser, gateway } = await ui();
    seed(gateway.stateDir);
    const { context, page, problems } = await openPage(browser, gateway.url, { locale: "zh-CN" });
    try {
      await connectWithToken(page);
      await page.waitForSelector("#chat-input");
      await page.evaluate('location.hash = "#/sessions"');
      await page.waitForSelector("#sessions-table td.kind >> text=私聊");
      expect(await page.textContent("#sessions-facts")).toMatch(/ · 0 活跃 · \d 未读$/);
      expect(await page.textContent("#sessions-pager")).toContain("每页 50 行");
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  }, 60_000);
});
