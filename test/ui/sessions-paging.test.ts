import { describe, expect, it } from "vitest";
import { connectWithToken, openPage, openSessionIndex, useUiFixture } from "./harness.js";

/** More sessions than one page (50) holds, so the screen must page. */
const SESSIONS = 120;

const ui = useUiFixture();

describe("Control UI: Sessions screen with many sessions", () => {
  it("pages through them newest first and searches by key or label", async () => {
    const { browser, gateway } = await ui();
    // Filled before anything opens the store: rows as a long-running gateway leaves them.
    const index = openSessionIndex(gateway.stateDir);
    index.put(
      Array.from({ length: SESSIONS }, (_, i) => ({
        key: `agent:main:discord:channel:${1000 + i}`,
        entry: { sessionId: `s-${i}`, updatedAt: 1_700_000_000_000 + i * 1000, displayName: `#room-${i}` },
      })),
    );
    index.close();
    const { context, page, problems } = await openPage(browser, gateway.url);
    try {
      await connectWithToken(page);
      await page.click("nav a[data-nav=sessions]");
      await page.waitForSelector("#sessions-pager >> text=1–50 of 120");
      const keys = () =>
        page.$$eval("#sessions-table tr[data-key]", (rows) => rows.map((r) => r.getAttribute("data-key")));
      expect((await keys())[0]).toBe("agent:main:discord:channel:1119");
      await page.click("#sessions-pager >> text=Older");
      await page.waitForSelector("#sessions-pager >> text=51–100 of 120");
      expect((await keys())[0]).toBe("agent:main:discord:channel:1069");
      await page.click("#sessions-pager >> text=Older");
      await page.waitForSelector("#sessions-pager >> text=101–120 of 120");
      expect(await page.isDisabled("#sessions-pager >> text=Older")).toBe(true);
      await page.click("#sessions-pager >> text=Newer");
      await page.waitForSelector("#sessions-pager >> text=51–100 of 120");

      await page.fill("#sessions-search", "room-11");
      await page.waitForSelector("#sessions-pager >> text=1–11 of 11");
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
