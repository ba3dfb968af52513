/**
 * The Sessions page grouped by date (OpenClaw's Today / Yesterday / This week / Older, by
 * last activity in the browser's time zone), and sessions and groups moved by real HTML5
 * drag and drop: a row onto a section on the Sessions page or a header in the chat sidebar
 * (Pinned too), a group header onto another to reorder; a refused move stays put with why.
 * The gateway holds each step (sessions.list, sessions.groups.list).
 */
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { GatewayClient } from "../../src/gateway/client.js";
import { connectWithToken, openPage, openSessionIndex, screenshot, TOKEN, useUiFixture } from "./harness.js";

const ui = useUiFixture();
const DAY = 86_400_000;
const key = (who: string) => `agent:main:telegram:direct:drag-${who}`;

type Listed = { sessions: { key: string; category?: string; pinned?: boolean }[] };

/** Sessions seeded with their last activity, a client to the gateway and a connected page on #/sessions. */
async function setUp(who: Record<string, number>) {
  const { browser, gateway } = await ui();
  const index = openSessionIndex(gateway.stateDir);
  index.put(
    Object.entries(who).map(([name, at]) => ({
      key: key(name),
      entry: { sessionId: `s-drag-${name}`, createdAt: at, updatedAt: at, label: name },
    })),
  );
  index.close();
  const { client } = await GatewayClient.connect({ url: gateway.url.replace(/^http/, "ws"), token: TOKEN });
  const session = async (name: string) =>
    ((await client.request("sessions.list", {})) as Listed).sessions.find((s) => s.key === key(name));
  // sessions.patch answered with a refusal while `refuse.on` (the page's socket relayed through Playwright).
  const refuse = { on: false };
  const { context, page, problems } = await openPage(browser, gateway.url);
  await page.routeWebSocket(/./, (ws) => {
    const server = ws.connectToServer();
    ws.onMessage((message) => {
      const frame = JSON.parse(String(message)) as { type?: string; id?: string; method?: string };
      if (refuse.on && frame.method === "sessions.patch")
        ws.send(
          JSON.stringify({
            type: "res",
            id: frame.id,
            ok: false,
            error: { code: "INVALID_REQUEST", message: "refused by the test" },
          }),
        );
      else server.send(message);
    });
    server.onMessage((message) => ws.send(message));
  });
  await page.reload();
  await connectWithToken(page, TOKEN, true);
  await page.waitForSelector("#chat-input");
  await page.evaluate('location.hash = "#/sessions"');
  await page.waitForSelector(`#sessions-table tr[data-key="${key(Object.keys(who)[0] ?? "")}"]`);
  const close = async () => {
    await client.close();
    await context.close();
  };
  return { client, page, problems, session, refuse, close };
}

/** Section titles in order, each with the keys of the rows under it. */
function sectionsOf(page: Page) {
  return page.$$eval("#sessions-table tbody", (bodies) =>
    bodies.map((b) => [
      b.querySelector("tr.group-row .group-title")?.textContent,
      [...b.querySelectorAll("tr[data-key]")].map((r) => r.getAttribute("data-key")),
    ]),
  );
}

describe("Control UI: sessions by date and by drag and drop", () => {
  it("groups the Sessions page by date of last activity, remembered in this browser", async () => {
    const midnight = new Date().setHours(0, 0, 0, 0);
    const { page, problems, close } = await setUp({
      today: Math.max(midnight + 1, Date.now() - 1000),
      yesterday: midnight - 3_600_000,
      days3: midnight - 3 * DAY,
      old: midnight - 40 * DAY,
    });
    try {
      await page.selectOption("#sessions-group-by", "date");
      await page.waitForSelector("#sessions-table tr.group-row >> text=Today");
      const expected = [
        ["Today", [key("today")]],
        ["Yesterday", [key("yesterday")]],
        ["This week", [key("days3")]],
        ["Older", [key("old")]],
      ];
      const own = async () =>
        (await sectionsOf(page))
          .map(([g, keys]) => [g, (keys as string[]).filter((k) => k.includes(":drag-"))])
          .filter(([, keys]) => keys.length);
      expect(await own()).toEqual(expected);
      await page.reload();
      await page.waitForSelector("#sessions-table tr.group-row >> text=Older");
      expect(await page.inputValue("#sessions-group-by")).toBe("date");
      expect(await own()).toEqual(expected);
      await page.selectOption("#sessions-group-by", "custom");
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  }, 60_000);
  it("moves rows onto sections and reorders groups by dragging on the Sessions page; a refusal stays put", async () => {
    const at = Date.now() - 60_000;
    const { client, page, problems, session, refuse, close } = await setUp({ ann: at + 2, bob: at + 1 });
    const head = (g: string) => `#sessions-table tr.group-row[data-group="${g}"]`;
    const row = (who: string) => `#sessions-table tr[data-key="${key(who)}"]`;
    const sectionOf = (who: string) =>
      page.$eval(row(who), (r) =>
        r.closest("tbody")?.querySelector("tr.group-row")?.getAttribute("data-group"),
      );
    try {
      await client.request("sessions.groups.put", { names: ["Alpha", "Beta"] });
      await page.waitForSelector(head("Beta"));

      // A row onto a group's header, then onto the ungrouped section (any row of it).
      await page.dragAndDrop(row("ann"), head("Beta"));
      await expect.poll(async () => (await session("ann"))?.category).toBe("Beta");
      await expect.poll(() => sectionOf("ann")).toBe("Beta");
      await page.dragAndDrop(row("ann"), row("bob"));
      await expect.poll(async () => (await session("ann"))?.category).toBeUndefined();
      await expect.poll(() => sectionOf("ann")).toBe("");

      // Refused by the gateway: the error is shown and the row stays where it was.
      refuse.on = true;
      await page.dragAndDrop(row("bob"), head("Alpha"));
      await page.waitForSelector("[role=alert] >> text=refused by the test");
      expect(await sectionOf("bob")).toBe("");
      refuse.on = false;
      expect((await session("bob"))?.category).toBeUndefined();

      // Lit while a row is over a section.
      const from = await page.locator(row("bob")).boundingBox();
      const to = await page.locator(head("Alpha")).boundingBox();
      if (!from || !to) throw new Error("no row or header");
      await page.mouse.move(from.x + 300, from.y + from.height / 2);
      await page.mouse.down();
      await page.mouse.move(from.x + 310, from.y + from.height / 2 + 5, { steps: 3 });
      await page.mouse.move(to.x + 300, to.y + to.height / 2, { steps: 5 });
      await page.mouse.move(to.x + 310, to.y + to.height / 2);
      await page.waitForSelector("#sessions-table tbody[data-over] tr.group-row[data-group=Alpha]");
      await screenshot(page, "sessions-drag-over");
      // Out of every target (its dragover taken by none): no longer lit.
      await page.mouse.move(to.x + 310, 5, { steps: 3 });
      await page.mouse.move(to.x + 320, 6);
      await page.waitForSelector("#sessions-table tbody[data-over]", { state: "detached" });
      await page.mouse.up();

      // A group's header onto another's takes its place, kept by the gateway (a reload agrees).
      await page.dragAndDrop(head("Beta"), head("Alpha"));
      const names = async () =>
        ((await client.request("sessions.groups.list", {})) as { groups: { name: string }[] }).groups.map(
          (g) => g.name,
        );
      await expect.poll(names).toEqual(["Beta", "Alpha"]);
      await page.reload();
      await page.waitForSelector(head("Alpha"));
      expect((await sectionsOf(page)).map(([g]) => g)).toEqual(["Beta", "Alpha", "Ungrouped"]);
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  }, 60_000);
  it("moves a sidebar row onto a group header, back to Ungrouped, and onto Pinned; a refusal stays put; headers reorder", async () => {
    const at = Date.now() - 60_000;
    const { client, page, problems, session, refuse, close } = await setUp({
      ann: at + 3,
      bob: at + 2,
      carl: at + 1,
    });
    const head = (g: string) => `#session-list li.group-head[data-group="${g}"]`;
    const row = (who: string) => `#session-list li[data-key="${key(who)}"]`;
    /** The sidebar header a row sits under. */
    const sectionOf = (who: string) =>
      page.$$eval(
        "#session-list > li",
        (rows, k) => {
          let group: string | null = null;
          for (const r of rows) {
            if (r.classList.contains("group-head")) group = r.getAttribute("data-group");
            if (r.getAttribute("data-key") === k) return group;
          }
        },
        key(who),
      );
    try {
      await client.request("sessions.patch", { key: key("ann"), category: "Alpha" });
      // Tall enough that the whole list shows under the screens: Pinned (sticky at the list's foot
      // while a row is dragged) then covers no header the test drops on.
      await page.setViewportSize({ width: 1280, height: 1000 });
      await page.evaluate('location.hash = "#/chat"');
      await page.waitForSelector(`${head("Alpha")} >> text=1`);

      await page.dragAndDrop(row("bob"), head("Alpha"));
      await expect.poll(async () => (await session("bob"))?.category).toBe("Alpha");
      await expect.poll(() => sectionOf("bob")).toBe("Alpha");
      await page.dragAndDrop(row("bob"), head(""));
      await expect.poll(async () => (await session("bob"))?.category).toBeUndefined();
      await expect.poll(() => sectionOf("bob")).toBe("");

      // Refused by the gateway: the sidebar says why and the row stays.
      refuse.on = true;
      await page.dragAndDrop(row("carl"), head("Alpha"));
      await page.waitForSelector(".sessions-side [role=alert] >> text=refused by the test");
      expect(await sectionOf("carl")).toBe("");
      refuse.on = false;

      // Pinned is a target while a row is dragged, lit while the row is over it.
      const box = await page.locator(row("carl")).boundingBox();
      if (!box) throw new Error("no row for carl");
      await page.mouse.move(box.x + 20, box.y + box.height / 2);
      await page.mouse.down();
      await page.mouse.move(box.x + 30, box.y + box.height / 2 + 5, { steps: 3 });
      const pin = await page.locator("#drop-pinned").boundingBox();
      if (!pin) throw new Error("no Pinned target");
      await page.mouse.move(pin.x + 20, pin.y + pin.height / 2, { steps: 5 });
      await page.mouse.move(pin.x + 30, pin.y + pin.height / 2);
      await page.waitForSelector("#drop-pinned[data-over]");
      await screenshot(page, "sessions-drag-pinned");
      await page.mouse.up();
      await expect.poll(async () => (await session("carl"))?.pinned).toBe(true);
      await page.waitForSelector("#drop-pinned", { state: "hidden" });
      await page.waitForSelector(`${row("carl")} .pin`);

      // A group's header onto another's takes its place there too, kept by the gateway.
      await client.request("sessions.patch", { key: key("bob"), category: "Beta" });
      await page.waitForSelector(head("Beta"));
      const heads = () =>
        page.$$eval("#session-list > li.group-head[data-group]", (l) =>
          l.map((h) => h.getAttribute("data-group")),
        );
      // (The Sessions page test before this one may have put Beta first already.)
      const [first, second] = (await heads()) as [string, string, string];
      expect([first, second].sort()).toEqual(["Alpha", "Beta"]);
      await page.dragAndDrop(head(second), head(first));
      await expect.poll(heads).toEqual([second, first, ""]);
      const listed = (await client.request("sessions.groups.list", {})) as { groups: { name: string }[] };
      expect(listed.groups.map((g) => g.name)).toEqual([second, first]);
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  }, 60_000);
});
