/**
 * Custom session groups in the Control UI, at desktop size and on a phone (390×844): a
 * group made with New group, a session moved into it from its row menu, the section on
 * the Sessions page and in the chat sidebar (folded, remembered across a reload), then the
 * group renamed and deleted from its header menu; the gateway holds each step.
 */
import { describe, expect, it } from "vitest";
import { GatewayClient } from "../../src/gateway/client.js";
import { connectWithToken, openPage, openSessionIndex, screenshot, TOKEN, useUiFixture } from "./harness.js";

const ui = useUiFixture();

describe("Control UI: custom session groups", () => {
  it.each([
    ["desktop", { width: 1280, height: 800 }, false],
    ["phone", { width: 390, height: 844 }, true],
  ] as const)(
    "made, filled, shown, folded, renamed and deleted (%s)",
    async (name, viewport, mobile) => {
      const { browser, gateway } = await ui();
      const key = (who: string) => `agent:main:telegram:direct:${name}-${who}`;
      const group = `Work ${name}`;
      const index = openSessionIndex(gateway.stateDir);
      const at = Date.now() - 60_000;
      index.put([
        {
          key: key("ann"),
          entry: { sessionId: `s-${name}-ann`, createdAt: at, updatedAt: at + 1, label: "Ann" },
        },
        {
          key: key("bob"),
          entry: { sessionId: `s-${name}-bob`, createdAt: at, updatedAt: at + 2, label: "Bob" },
        },
      ]);
      index.close();
      const { client } = await GatewayClient.connect({
        url: gateway.url.replace(/^http/, "ws"),
        token: TOKEN,
      });
      const category = async (who: string) =>
        (
          (await client.request("sessions.list", {})) as { sessions: { key: string; category?: string }[] }
        ).sessions.find((s) => s.key === key(who))?.category;
      const { context, page, problems } = await openPage(browser, gateway.url, { viewport, mobile });
      const noSideways = async () =>
        expect(await page.$eval("html", (el) => el.scrollWidth - el.clientWidth)).toBe(0);
      const head = (g: string) => `#sessions-table tr.group-row[data-group="${g}"]`;
      try {
        await connectWithToken(page, TOKEN, true);
        await page.waitForSelector("#chat-input");
        await page.evaluate('location.hash = "#/sessions"');
        await page.waitForSelector(`#sessions-table tr[data-key="${key("ann")}"]`);

        // New group: named in place (no browser prompt), by keyboard.
        await page.click("#new-group");
        await page.keyboard.type(group);
        await page.keyboard.press("Enter");
        await page.waitForSelector(`${head(group)} >> text=0`);

        // Ann moves into it from her row menu.
        await page.click(`tr[data-key="${key("ann")}"] .session-more`);
        await page.click(`tr[data-key="${key("ann")}"] [role=menuitem] >> text=Move to group…`);
        await page.selectOption("#group-field", group);
        await page.click("#group-form button[type=submit]");
        await expect.poll(() => category("ann")).toBe(group);
        await page.waitForSelector(`${head(group)} >> text=1`);
        const order = await page.$$eval("#sessions-table tbody tr", (rows) =>
          rows.map((r) => r.getAttribute("data-group") ?? r.getAttribute("data-key")),
        );
        expect(order.indexOf(key("ann"))).toBe(order.indexOf(group) + 1);
        expect(order.indexOf(key("bob"))).toBeGreaterThan(order.indexOf(""));
        await noSideways();
        await screenshot(page, `sessions-groups-${name}`);

        // Group by is remembered in this browser.
        await page.selectOption("#sessions-group-by", "channel");
        await page.reload();
        await page.waitForSelector('#sessions-table tr.group-row[data-group="telegram"]');
        expect(await page.inputValue("#sessions-group-by")).toBe("channel");
        await page.selectOption("#sessions-group-by", "custom");

        // The chat sidebar: the group above the ungrouped rows; folded, and still folded after a reload.
        await page.evaluate('location.hash = "#/chat"');
        if (mobile) await page.click("#drawer-toggle");
        const side = `#session-list li.group-head[data-group="${group}"] button`;
        await page.waitForSelector(side);
        const sideOrder = await page.$$eval("#session-list > li", (rows) =>
          rows.map((r) => r.getAttribute("data-group") ?? r.getAttribute("data-key")),
        );
        expect(sideOrder.indexOf(key("ann"))).toBe(sideOrder.indexOf(group) + 1);
        expect(sideOrder.indexOf(key("bob"))).toBeGreaterThan(sideOrder.indexOf(""));
        await noSideways();
        await page.click(side);
        await page.waitForSelector(`#session-list li[data-key="${key("ann")}"]`, { state: "detached" });
        await page.reload();
        if (mobile) await page.click("#drawer-toggle");
        await page.waitForSelector(`${side}[aria-expanded=false]`);
        await page.click(side);
        await page.waitForSelector(`#session-list li[data-key="${key("ann")}"]`);

        // Renamed from the section header's menu: every member follows, on the gateway.
        await page.evaluate('location.hash = "#/sessions"');
        await page.click(`${head(group)} .session-more`);
        await page.click(`${head(group)} [role=menuitem] >> text=Rename`);
        await page.fill("#group-field", `${group} 2`);
        await page.keyboard.press("Enter");
        await page.waitForSelector(`${head(`${group} 2`)} >> text=1`);
        expect(await category("ann")).toBe(`${group} 2`);

        // Deleted after a confirmation: the session is kept, ungrouped.
        page.once("dialog", (dialog) => void dialog.accept());
        await page.click(`${head(`${group} 2`)} .session-more`);
        await page.click(`${head(`${group} 2`)} [role=menuitem] >> text=Delete`);
        await page.waitForSelector(head(`${group} 2`), { state: "detached" });
        expect(await category("ann")).toBeUndefined();
        await page.waitForSelector(`#sessions-table tr[data-key="${key("ann")}"]`);
        await noSideways();
        expect(problems).toEqual([]);
      } finally {
        await client.close();
        await context.close();
      }
    },
    90_000,
  );
});
