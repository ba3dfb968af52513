/**
 * The chat header's "⋯" (OpenClaw's session menu in the chat header): each action on the
 * open session, checked on the gateway (`sessions.describe` / `sessions.list`): Pin and
 * Unpin, Rename, Move to group (and out of it), Mark as unread (kept while the chat stays open) and read,
 * Reset, Archive (the chat goes to the main session) and Restore, Delete
 * (confirmed; the chat goes to the main session). A button with aria-haspopup: Enter opens
 * it with the focus on its first item, Esc closes it and gives the focus back. On a desktop
 * and on a 390×844 phone (in its one top bar, 44 px targets).
 */
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { GatewayClient } from "../../src/gateway/client.js";
import { connectWithToken, openPage, screenshot, TOKEN, useUiFixture } from "./harness.js";

const ui = useUiFixture();

interface Described {
  sessionId: string;
  label?: string;
  pinned?: boolean;
  unread?: boolean;
  archived?: boolean;
  category?: string;
}

const VIEWS = [
  { name: "desktop", viewport: { width: 1280, height: 800 }, mobile: false, tap: 32 },
  { name: "phone", viewport: { width: 390, height: 844 }, mobile: true, tap: 44 },
];

/** Opens `key` in the chat, reloading the page (a remembered token connects again). */
async function openSession(page: Page, key: string): Promise<void> {
  const hash = `#/chat?session=${encodeURIComponent(key)}`;
  await page.evaluate(`location.hash = ${JSON.stringify(hash)}; location.reload()`);
  await page.waitForSelector(`#chat-session[data-key="${key}"]`);
}

describe("Control UI: the chat header's session menu", () => {
  it.each(VIEWS)(
    "acts on the open session from the header ($name)",
    async (view) => {
      const { browser, gateway } = await ui();
      const { client } = await GatewayClient.connect({
        url: gateway.url.replace(/^http/, "ws"),
        token: TOKEN,
      });
      const { context, page, problems } = await openPage(browser, gateway.url, view);
      const key = `agent:main:ui-menu-${view.name}`;
      const other = `agent:main:ui-gone-${view.name}`;
      const describe = async (k: string) =>
        ((await client.request("sessions.describe", { key: k })) as { session: Described | null }).session;
      const button = page.locator(".chat-head .chat-menu > button[aria-haspopup=menu]");
      const item = (name: string) => page.locator(".chat-menu").getByRole("menuitem", { name, exact: true });
      /** Opens the menu and picks `name`. */
      const choose = async (name: string) => {
        await button.click();
        await item(name).click();
      };
      try {
        await client.request("sessions.patch", { key, label: "Trip plans" });
        await client.request("sessions.patch", { key: other, label: "Old notes" });
        await connectWithToken(page, TOKEN, true);
        await page.waitForSelector("#chat-input");
        await openSession(page, key);
        await page.waitForSelector("#chat-session >> text=Trip plans");

        // A button at the header's end, sized for a finger on a phone, in the one top bar.
        expect(await button.getAttribute("aria-label")).toBe("Session actions");
        expect(await button.getAttribute("aria-expanded")).toBe("false");
        const box = (await button.boundingBox())!;
        const head = (await page.locator(".chat-head").boundingBox())!;
        expect(box.height).toBeGreaterThanOrEqual(view.tap);
        expect(box.width).toBeGreaterThanOrEqual(view.tap);
        expect(head.x + head.width - (box.x + box.width)).toBeLessThan(2);
        if (view.mobile) expect(box.y).toBeLessThan(60);

        // Keyboard: Enter opens it on its first item, ↓ moves, Esc closes it and the focus comes back.
        await button.focus();
        await page.keyboard.press("Enter");
        await page.waitForSelector(".chat-menu [role=menu]");
        expect(await page.evaluate("document.activeElement.textContent")).toBe("Pin");
        await page.keyboard.press("ArrowDown");
        expect(await page.evaluate("document.activeElement.textContent")).toBe("Rename");
        const labels = await page.locator(".chat-menu [role=menuitem]").allTextContents();
        expect(labels).toEqual([
          "Pin",
          "Rename",
          "Mark as unread",
          "Archive",
          "Move to group…",
          "Reset",
          "Delete",
        ]);
        for (const target of await page.locator(".chat-menu [role=menuitem]").all()) {
          const b = (await target.boundingBox())!;
          expect(b.height).toBeGreaterThanOrEqual(view.tap);
          expect(b.x).toBeGreaterThanOrEqual(0);
          expect(b.x + b.width).toBeLessThanOrEqual(view.viewport.width);
        }
        expect(await page.evaluate("document.documentElement.scrollWidth")).toBeLessThanOrEqual(
          view.viewport.width,
        );
        await screenshot(page, `chat-header-menu-${view.name}`);
        await page.keyboard.press("Escape");
        await page.waitForSelector(".chat-menu [role=menu]", { state: "detached" });
        expect(await button.evaluate((el) => el.ownerDocument.activeElement === el)).toBe(true);

        // Pin, then Unpin.
        await choose("Pin");
        await expect.poll(async () => (await describe(key))?.pinned).toBe(true);
        await choose("Unpin");
        await expect.poll(async () => (await describe(key))?.pinned).toBe(false);

        // Move to group: the group's name asked (the session's own first); a new name is a new group.
        page.once("dialog", (dialog) => {
          expect(dialog.message()).toBe("Move to group…");
          void dialog.accept("Travel");
        });
        await choose("Move to group…");
        await expect.poll(async () => (await describe(key))?.category).toBe("Travel");
        const names = (await client.request("sessions.groups.list", {})) as { groups: { name: string }[] };
        expect(names.groups.map((g) => g.name)).toContain("Travel");
        page.once("dialog", (dialog) => {
          expect(dialog.defaultValue()).toBe("Travel");
          void dialog.accept("");
        });
        await choose("Move to group…");
        await expect.poll(async () => (await describe(key))?.category).toBeUndefined();

        // Mark as unread: it stays unread while the chat is open, through a change that refreshes the list.
        await choose("Mark as unread");
        await expect.poll(async () => (await describe(key))?.unread).toBe(true);
        page.once("dialog", (dialog) => {
          expect(dialog.defaultValue()).toBe("Trip plans");
          void dialog.accept("Lisbon in May");
        });
        await choose("Rename");
        await expect.poll(async () => (await describe(key))?.label).toBe("Lisbon in May");
        await page.waitForSelector("#chat-session >> text=Lisbon in May");
        expect((await describe(key))?.unread).toBe(true);
        await choose("Mark as read");
        await expect.poll(async () => (await describe(key))?.unread).toBe(false);

        // Reset, after a confirmation: a new transcript under the same key.
        const before = (await describe(key))?.sessionId;
        page.once("dialog", (dialog) => void dialog.accept());
        await choose("Reset");
        await expect.poll(async () => (await describe(key))?.sessionId).not.toBe(before);

        // Archive: the chat goes to the main session; opened again, the archived session offers Restore (no Pin).
        await choose("Archive");
        await page.waitForSelector('#chat-session[data-key="agent:main:main"]');
        await expect.poll(async () => (await describe(key))?.archived).toBe(true);
        await openSession(page, key);
        await button.click();
        await item("Restore").waitFor();
        expect(await item("Pin").count()).toBe(0);
        await item("Restore").click();
        await expect.poll(async () => (await describe(key))?.archived).toBeUndefined();
        expect(await page.getAttribute("#chat-session", "data-key")).toBe(key);

        // Delete, once confirmed: gone from the list; the chat goes to the main session.
        await openSession(page, other);
        const asked: string[] = [];
        page.once("dialog", (dialog) => {
          asked.push(dialog.message());
          void dialog.accept();
        });
        await choose("Delete");
        await page.waitForSelector('#chat-session[data-key="agent:main:main"]');
        expect(asked).toEqual([`Delete session ${other}?`]);
        expect(await describe(other)).toBeNull();
        const listed = (await client.request("sessions.list", { archived: "all" })) as {
          sessions: { key: string }[];
        };
        expect(listed.sessions.map((s) => s.key)).toContain(key);
        expect(listed.sessions.map((s) => s.key)).not.toContain(other);
        expect(problems).toEqual([]);
      } finally {
        await client.close();
        await context.close();
      }
    },
    120_000,
  );
});
