/**
 * The Sessions page's row drawer in Chromium against a built gateway: the chevron opens a
 * row's details (by keyboard too), the session's model and thinking level are set there
 * with `sessions.patch`, survive a reload, and the next request to the (fake) model
 * carries them; "… (default)" clears them again. At 390×844 the drawer fits the width.
 */
import type { Page } from "playwright-core";
import { afterEach, describe, expect, it } from "vitest";
import { connectWithToken, openPage, sendChat, useUiFixture } from "./harness.js";

const fixture = useUiFixture();
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function open(viewport?: { width: number; height: number }) {
  const { browser, gateway } = await fixture();
  const { context, page, problems } = await openPage(browser, gateway.url, viewport ? { viewport } : {});
  closers.push(() => context.close());
  await connectWithToken(page);
  await page.waitForSelector("#chat-input");
  return { page, problems, gateway };
}

/** A fresh session with one answered turn; returns its key (the row the chat sidebar marks active). */
async function chatOnce(page: Page, text: string, answer: string, fresh = true): Promise<string> {
  const { gateway } = await fixture();
  // On a phone the sidebar (and its "new session") is folded away: the chat's own session is used.
  if (fresh) await page.click("#new-session");
  gateway.anthropic.enqueue({ text: answer });
  await sendChat(page, text);
  await page.waitForSelector(`.msg.assistant >> text=${answer}`);
  return (await page.getAttribute(".session-row.active", "data-key"))!;
}

async function openDrawer(page: Page, key: string) {
  await page.evaluate("location.hash = '#/sessions'");
  const toggle = page.locator(`tr[data-key="${key}"] .drawer-toggle`);
  await toggle.focus();
  await page.keyboard.press("Enter");
  await page.waitForSelector(".session-drawer");
  expect(await toggle.getAttribute("aria-expanded")).toBe("true");
  // Focus stays on the chevron that opened it.
  const selector = `tr[data-key="${key}"] .drawer-toggle`;
  expect(await page.evaluate(`document.activeElement?.matches(${JSON.stringify(selector)})`)).toBe(true);
}

describe("the Sessions page's row drawer", () => {
  it("shows the session, sets model and thinking for its next turn, and clears them back to default", async () => {
    const { page, problems, gateway } = await open();
    const key = await chatOnce(page, "first", "First answer.");
    await openDrawer(page, key);
    const drawer = page.locator(".session-drawer");
    await expect.poll(() => drawer.textContent()).toContain("anthropic/claude-sonnet-4-5");
    expect(await drawer.textContent()).toContain("main");
    // The agent's model offers these levels; nothing is chosen yet.
    await page.waitForSelector('.session-drawer #chat-model option[value="anthropic/claude-opus-4-6"]', {
      state: "attached",
    });
    expect(await page.$$eval("#chat-thinking option", (os) => os.map((o) => o.textContent))).toEqual([
      "Thinking: default (off)",
      "Thinking: off",
      "Thinking: minimal",
      "Thinking: low",
      "Thinking: medium",
      "Thinking: high",
    ]);

    await page.selectOption(".session-drawer #chat-model", "anthropic/claude-opus-4-6");
    // Saved and reloaded: Claude Opus 4.6 thinks adaptively unless told otherwise, and offers adaptive.
    await expect.poll(() => page.textContent("#chat-thinking option")).toBe("Thinking: default (adaptive)");
    expect(await page.$$eval("#chat-thinking option", (os) => os.length)).toBe(7);
    await page.selectOption("#chat-thinking", "high");
    // The select follows the stored row: it shows "high" once the gateway has it.
    await expect.poll(() => page.inputValue("#chat-thinking")).toBe("high");

    await page.reload();
    await page.waitForSelector("#app[data-rendered]");
    if (await page.$("#secret")) await connectWithToken(page);
    await openDrawer(page, key);
    await expect.poll(() => page.inputValue("#chat-thinking")).toBe("high");
    expect(await page.inputValue(".session-drawer #chat-model")).toBe("anthropic/claude-opus-4-6");

    await page.click(`tr[data-key="${key}"] .name a`);
    gateway.anthropic.enqueue({ text: "Thought answer." });
    await sendChat(page, "think hard");
    await page.waitForSelector(".msg.assistant >> text=Thought answer.");
    const sent = gateway.anthropic.requests.at(-1)!.body;
    expect(sent.model).toBe("claude-opus-4-6");
    expect(sent.thinking).toEqual({ type: "enabled", budget_tokens: 16384 });

    await openDrawer(page, key);
    await page.selectOption("#chat-thinking", "");
    await expect.poll(() => page.inputValue("#chat-thinking")).toBe("");
    await page.selectOption(".session-drawer #chat-model", "");
    await expect.poll(() => page.textContent("#chat-thinking option")).toBe("Thinking: default (off)");
    await page.click(`tr[data-key="${key}"] .name a`);
    gateway.anthropic.enqueue({ text: "Plain answer." });
    await sendChat(page, "again");
    await page.waitForSelector(".msg.assistant >> text=Plain answer.");
    const plain = gateway.anthropic.requests.at(-1)!.body;
    expect(plain.model).toBe("claude-sonnet-4-5");
    expect(plain).not.toHaveProperty("thinking");
    expect(problems).toEqual([]);
  }, 90_000);

  it("closes with the keyboard, says why a change failed, and fits a phone", async () => {
    const { page } = await open({ width: 390, height: 844 });
    const key = await chatOnce(page, "phone", "Phone answer.", false);
    await openDrawer(page, key);
    const fits = await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth");
    expect(fits).toBe(true);
    const box = await page.locator(`tr[data-key="${key}"] .drawer-toggle`).boundingBox();
    expect(box!.width).toBeGreaterThanOrEqual(44);
    expect(box!.height).toBeGreaterThanOrEqual(44);
    const select = await page.locator("#chat-thinking").boundingBox();
    expect(select!.height).toBeGreaterThanOrEqual(44);

    // A level the gateway does not take (a page older than the gateway): refused, and the drawer says why.
    await page.evaluate(`document.querySelector("#chat-thinking option:last-child").value = "ultra-mega"`);
    await page.selectOption("#chat-thinking", "ultra-mega");
    await page.waitForSelector('.session-drawer [role="alert"] >> text=is not a level');

    const toggle = page.locator(`tr[data-key="${key}"] .drawer-toggle`);
    await toggle.focus();
    await page.keyboard.press("Space");
    await page.waitForSelector(".session-drawer", { state: "detached" });
    expect(await toggle.getAttribute("aria-expanded")).toBe("false");
  }, 60_000);
});
