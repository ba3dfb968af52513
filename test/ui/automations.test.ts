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
    const socket = await relayGatewaySocket(page);
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

      // Run now, THEN open the history: the order that once lost the run's `finished` event (it
      // arrived after the history loaded but before the screen listened for it). The relay makes
      // that order certain: the history's answer is held back until the event, then both go to
      // the page back to back. The slow model only makes the held answer predate the run's end.
      // biome-ignore lint/suspicious/noThenProperty: the fake server's slow-reply script names its follow-up `then`
      gateway.anthropic.enqueue({ slowMs: 1_500, then: { text: "Good morning." } });
      socket.holdRunsUntilFinished();
      await page.click(`${row("Brief")} .auto-run`);
      await page.click(`${row("Brief")} .auto-history`);
      // Refreshed by the `cron` event of the run finishing (no polling, no reload).
      await page.waitForSelector("#automation-runs li[data-status=ok]");
      expect(socket.released()).toBe(true);
      expect(await page.textContent("#automation-runs")).toContain("manual");
      await page.waitForSelector(`${row("Brief")} td:text-is("ok")`);
      const briefId = await page.getAttribute(row("Brief"), "data-id");
      expect(socket.cronEvents).toContainEqual(
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
      await page.waitForSelector("html[lang=zh-Hans]"); // its catalogue is fetched first
      expect(await page.textContent("nav a[data-nav=automations]")).toBe("自动化");
      expect(await page.textContent("#automations-table thead")).toContain("下次运行");
      await page.selectOption("#language", "zh-Hant");
      await page.waitForSelector("html[lang=zh-Hant]"); // its catalogue is fetched first
      expect(await page.textContent("nav a[data-nav=automations]")).toBe("自動化");
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

interface Frame {
  type?: string;
  id?: string;
  method?: string;
  event?: string;
  payload?: { action?: string; jobId?: string; status?: string };
}

/**
 * Relays the page's gateway WebSocket through Playwright, recording the `cron` events the page
 * gets. `holdRunsUntilFinished`: the next `cron.runs` answer waits until a run's `finished`
 * event, then the page gets the answer and the event back to back.
 */
async function relayGatewaySocket(page: Page) {
  const cronEvents: NonNullable<Frame["payload"]>[] = [];
  let hold = false;
  let released = false;
  await page.routeWebSocket(/./, (ws) => {
    const server = ws.connectToServer();
    const runsRequests = new Set<string>();
    let held: string | undefined;
    ws.onMessage((message) => {
      const frame = JSON.parse(String(message)) as Frame;
      if (frame.type === "req" && frame.method === "cron.runs" && frame.id) runsRequests.add(frame.id);
      server.send(message);
    });
    server.onMessage((message) => {
      const text = String(message);
      const frame = JSON.parse(text) as Frame;
      if (frame.type === "event" && frame.event === "cron" && frame.payload) cronEvents.push(frame.payload);
      if (hold && frame.type === "res" && frame.id && runsRequests.has(frame.id) && held === undefined) {
        held = text;
        return;
      }
      if (held !== undefined && frame.event === "cron" && frame.payload?.action === "finished") {
        ws.send(held);
        held = undefined;
        hold = false;
        released = true;
      }
      ws.send(text);
    });
  });
  return {
    cronEvents,
    holdRunsUntilFinished: () => {
      hold = true;
    },
    released: () => released,
  };
}
