import { describe, expect, it } from "vitest";
import { GatewayClient } from "../../src/gateway/client.js";
import { connectWithToken, openPage, openSessionIndex, screenshot, TOKEN, useUiFixture } from "./harness.js";

const ui = useUiFixture();
const key = (name: string) => `agent:main:telegram:direct:${name}`;
const row = (name: string) => `li[data-key="${key(name)}"]`;

/** Three sessions written before the gateway opens them: `bob` had a message after it was created (unread). */
function seed(stateDir: string): void {
  const index = openSessionIndex(stateDir);
  const at = 1_700_000_000_000;
  index.put([
    { key: key("ann"), entry: { sessionId: "s-ann", createdAt: at, updatedAt: at, label: "Ann" } },
    { key: key("bob"), entry: { sessionId: "s-bob", createdAt: at, updatedAt: at + 2000, label: "Bob" } },
    {
      key: key("cat"),
      entry: { sessionId: "s-cat", createdAt: at + 3000, updatedAt: at + 3000, label: "Cat" },
    },
  ]);
  index.close();
}

describe("Control UI: pins, unread marks and live updates in the sidebar", () => {
  it("pins to the top, keeps unread on the gateway across a reload, and drops a session archived elsewhere at once", async () => {
    const { browser, gateway } = await ui();
    seed(gateway.stateDir);
    const { context, page, problems } = await openPage(browser, gateway.url);
    const { client } = await GatewayClient.connect({ url: gateway.url.replace(/^http/, "ws"), token: TOKEN });
    const unread = async (name: string) =>
      (
        (await client.request("sessions.list", {})) as { sessions: { key: string; unread: boolean }[] }
      ).sessions.find((s) => s.key === key(name))?.unread;
    const order = () =>
      page.$$eval("#session-list li[data-key]", (rows) => rows.map((r) => r.getAttribute("data-key") ?? ""));
    try {
      await connectWithToken(page, TOKEN, true);
      await page.waitForSelector(`${row("bob")}.unread`);
      expect(await page.$(`${row("ann")}.unread`)).toBeNull();
      expect((await order()).slice(1)).toEqual([key("cat"), key("bob"), key("ann")]);

      // Pinned from the row's menu: first in the list, with its mark; the menu's buttons are a
      // desktop's 32 px with a mouse (a finger gets 44 px: look-dense.test.ts).
      await page.click(`${row("ann")} .session-more`);
      const box = await page.locator(`${row("ann")} .session-menu >> text=Pin`).boundingBox();
      expect(box?.height).toBeGreaterThanOrEqual(32);
      await screenshot(page, "chat-sidebar-menu");
      await page.click(`${row("ann")} .session-menu >> text=Pin`);
      await expect.poll(async () => (await order())[1]).toBe(key("ann"));
      expect(await page.getAttribute(`${row("ann")} .pin`, "aria-label")).toBe("Pinned");

      // Opening bob reads it, on the gateway.
      await page.click(`${row("bob")} .session-open`);
      await expect.poll(() => unread("bob")).toBe(false);
      await page.waitForSelector(`${row("bob")}:not(.unread)`);

      // Marked unread by hand: kept across a reload.
      await page.click(`${row("cat")} .session-more`);
      await page.click(`${row("cat")} .session-menu >> text=Mark as unread`);
      await expect.poll(() => unread("cat")).toBe(true);
      await page.reload();
      await page.waitForSelector(`${row("cat")}.unread`);
      expect((await order()).slice(1, 2)).toEqual([key("ann")]);
      await screenshot(page, "chat-sidebar-pins");

      // Archived by another client: gone from the open sidebar at once (sessions.changed).
      await client.request("sessions.patch", { key: key("cat"), archived: true });
      await page.waitForSelector(row("cat"), { state: "detached" });
      expect(problems).toEqual([]);
    } finally {
      await client.close();
      await context.close();
    }
  }, 60_000);
});
