import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { connectWithToken, openPage, screenshot, useUiFixture } from "./harness.js";

const ui = useUiFixture();

/** The table row of the job called `name`. */
const row = (name: string) => `#automations-table tr:has(td:text-is("${name}"))`;

async function createJob(page: Page, fill: (page: Page) => Promise<void>): Promise<void> {
  await page.click("#auto-new");
  await fill(page);
  await page.click("#automation-form button[type=submit]");
  await page.waitForSelector("#automation-form", { state: "detached" });
}

describe("Control UI: Automations", () => {
  it("creates, edits, runs, disables and removes jobs, and shows their history", async () => {
    const { browser, gateway } = await ui();
    const { context, page, problems } = await openPage(browser, gateway.url);
    // The `cron` events the page receives (they once carried the event name as their payload).
    const cronEvents: { action?: string; jobId?: string; status?: string }[] = [];
    page.on("websocket", (ws) =>
      ws.on("framereceived", ({ payload }) => {
        const frame = JSON.parse(String(payload)) as { type?: string; event?: string; payload?: unknown };
        if (frame.type === "event" && frame.event === "cron") cronEvents.push(frame.payload as never);
      }),
    );
    try {
      await connectWithToken(page);
      await page.click("nav a[data-nav=automations]");
      await page.waitForSelector("text=No scheduled jobs yet.");

      // A bad interval is refused in the form with what to write instead.
      await page.click("#auto-new");
      await page.fill("#auto-every", "soon");
      await page.fill("#auto-message", "x");
      await page.click("#automation-form button[type=submit]");
      expect(await page.textContent("#automation-form [role=alert]")).toContain("10m, 2h or 1d");
      await page.click("#automation-form button.secondary");

      await createJob(page, async (p) => {
        await p.fill("#auto-name", "Morning brief");
        await p.fill("#auto-every", "2h");
        await p.fill("#auto-message", "Say good morning");
      });
      expect(await page.textContent(row("Morning brief"))).toContain("every 2h");

      await createJob(page, async (p) => {
        await p.fill("#auto-name", "Weekday report");
        await p.selectOption("#auto-kind", "cron");
        await p.fill("#auto-expr", "0 7 * * 1-5");
        await p.fill("#auto-tz", "Europe/Vienna");
        await p.fill("#auto-message", "Report");
        await p.fill("#auto-channel", "telegram");
        await p.fill("#auto-to", "12345");
      });
      expect(await page.textContent(row("Weekday report"))).toContain("0 7 * * 1-5 (Europe/Vienna)");

      // A bad cron expression is refused by the gateway, with its reason shown.
      await page.click("#auto-new");
      await page.selectOption("#auto-kind", "cron");
      await page.fill("#auto-expr", "61 * * * *");
      await page.fill("#auto-message", "x");
      await page.click("#automation-form button[type=submit]");
      await page.waitForSelector("#automation-form [role=alert]");
      await page.click("#automation-form button.secondary");

      // Edit: the form comes filled in; a new name and interval are saved.
      await page.click(`${row("Morning brief")} .auto-edit`);
      expect(await page.inputValue("#auto-every")).toBe("2h");
      expect(await page.inputValue("#auto-message")).toBe("Say good morning");
      await page.fill("#auto-name", "Brief");
      await page.fill("#auto-every", "90m");
      await page.click("#automation-form button[type=submit]");
      await page.waitForSelector(`${row("Brief")}:has-text("every 90m")`);

      // Run now: the run (an agent turn against the fake model) shows in the history. The history
      // is opened first, so the run's `cron` event always finds it open (the other order raced
      // in CI once: the run finished while the history was still loading).
      await page.click(`${row("Brief")} .auto-history`);
      await page.waitForSelector("#automation-runs");
      await page.click(`${row("Brief")} .auto-run`);
      // Refreshed by the `cron` event of the run finishing (no polling, no reload).
      await page.waitForSelector("#automation-runs li[data-status=ok]");
      expect(await page.textContent("#automation-runs")).toContain("manual");
      await page.waitForSelector(`${row("Brief")} td:text-is("ok")`);
      const briefId = await page.getAttribute(row("Brief"), "data-id");
      expect(cronEvents).toContainEqual(
        expect.objectContaining({ action: "finished", jobId: briefId, status: "ok" }),
      );
      await screenshot(page, "automations");

      // Disable: no next run; enable again: a next run.
      await page.uncheck(`${row("Brief")} .auto-enabled`);
      await page.waitForSelector(`${row("Brief")} td:text-is("—")`);
      await page.check(`${row("Brief")} .auto-enabled`);
      await page.waitForSelector(`${row("Brief")} td:text-is("—")`, { state: "detached" });

      await page.click(`${row("Weekday report")} button.danger`);
      await page.waitForSelector(row("Weekday report"), { state: "detached" });

      await page.selectOption("#language", "zh-Hans");
      expect(await page.textContent("nav a[data-nav=automations]")).toBe("自动化");
      expect(await page.textContent("#automations-table thead")).toContain("下次运行");
      await page.selectOption("#language", "zh-Hant");
      expect(await page.textContent("nav a[data-nav=automations]")).toBe("自動化");
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
