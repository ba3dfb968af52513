import { describe, expect, it } from "vitest";
import { connectWithToken, openPage, openSessionIndex, useUiFixture } from "./harness.js";

/** More sessions than one page (50) holds, so the screen must page. */
const SESSIONS = 120;

const ui = useUiFixture();

describe("Control UI: Sessions screen with many sessions", () => {
  it("pages through them newest first, searches by key or label, and asks for the rows per page chosen", async () => {
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
    // The `limit` of every sessions.list the page sends (the sidebar's too: 100).
    const limits: number[] = [];
    page.on("websocket", (ws) =>
      ws.on("framesent", ({ payload }) => {
        const frame = JSON.parse(String(payload)) as { method?: string; params?: { limit?: number } };
        if (frame.method === "sessions.list" && frame.params?.limit) limits.push(frame.params.limit);
      }),
    );
    try {
      await connectWithToken(page);
      await page.click("nav a[data-nav=sessions]");
      await page.waitForSelector("#sessions-pager >> text=1–50 of 120");
      const keys = () =>
        page.$$eval("#sessions-table tr[data-key]", (rows) => rows.map((r) => r.getAttribute("data-key")));
      expect((await keys())[0]).toBe("agent:main:discord:channel:1119");
      await page.click("#sessions-pager >> text=Next");
      await page.waitForSelector("#sessions-pager >> text=51–100 of 120");
      expect((await keys())[0]).toBe("agent:main:discord:channel:1069");
      await page.click("#sessions-pager >> text=Next");
      await page.waitForSelector("#sessions-pager >> text=101–120 of 120");
      expect(await page.isDisabled("#sessions-pager >> text=Next")).toBe(true);
      await page.click("#sessions-pager >> text=Previous");
      await page.waitForSelector("#sessions-pager >> text=51–100 of 120");

      await page.fill("#sessions-search", "room-11");
      await page.waitForSelector("#sessions-pager >> text=1–11 of 11");

      // Rows per page: the gateway is asked for that many, from the first page.
      await page.fill("#sessions-search", "");
      await page.waitForSelector("#sessions-pager >> text=1–50 of 120 rows");
      limits.length = 0;
      await page.selectOption("#sessions-size", "25");
      await page.waitForSelector("#sessions-pager >> text=1–25 of 120 rows");
      expect(await keys()).toHaveLength(25);
      expect(limits).toEqual([25]);
      await page.click("#sessions-pager >> text=Next");
      await page.waitForSelector("#sessions-pager >> text=26–50 of 120 rows");
      expect((await keys())[0]).toBe("agent:main:discord:channel:1094");
      await page.selectOption("#sessions-size", "200");
      await page.waitForSelector("#sessions-pager >> text=1–120 of 120 rows");
      expect(await keys()).toHaveLength(120);
      expect(await page.isDisabled("#sessions-pager >> text=Next")).toBe(true);
      expect(limits).toEqual([25, 25, 200]);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  }, 120_000);
});
