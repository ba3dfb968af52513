/**
 * The composer's Fast switch in Chromium against a built gateway: it shows the session's
 * Fast mode (or the model's own default), a click is saved on the session and the next
 * request to the (fake) model carries the field, and where Fast mode does nothing the
 * switch is disabled with why as its tooltip. Beside it, the session's thinking level.
 */
import type { Page } from "playwright-core";
import { afterEach, describe, expect, it } from "vitest";
import { connectWithToken, openPage, useUiFixture } from "./harness.js";

const fixture = useUiFixture({
  // A Google key, so its models can be picked: Fast mode does nothing for them.
  models: { providers: { google: { apiKey: "google-ui-test-key" } } },
  agents: { defaults: { models: { "anthropic/claude-opus-4-6": { params: { fastMode: true } } } } },
});
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function openChat(): Promise<Page> {
  const { browser, gateway } = await fixture();
  const { context, page } = await openPage(browser, gateway.url);
  closers.push(() => context.close());
  await connectWithToken(page);
  await page.waitForSelector("#chat-input");
  await page.click("#new-session");
  return page;
}

const state = async (page: Page) => ({
  checked: await page.getAttribute("#chat-fast", "aria-checked"),
  disabled: await page.getAttribute("#chat-fast", "aria-disabled"),
});

describe("the composer's Fast switch", () => {
  it("turns Fast mode on for the session, and the next request carries it; off again, it does not", async () => {
    const { gateway } = await fixture();
    const page = await openChat();
    expect(await state(page)).toEqual({ checked: "false", disabled: "false" });
    expect(await page.textContent("#chat-fast")).toBe("Fast");

    await page.click("#chat-fast");
    await expect.poll(() => page.getAttribute("#chat-fast", "aria-checked")).toBe("true");
    gateway.anthropic.enqueue({ text: "Fast answer." });
    await page.fill("#chat-input", "quick please");
    await page.click("#chat-send");
    await page.waitForSelector(".msg.assistant >> text=Fast answer.");
    // The test model (Claude Sonnet 4.5) takes Anthropic's Priority Tier.
    expect(gateway.anthropic.requests.at(-1)!.body.service_tier).toBe("auto");

    await page.click("#chat-fast");
    await expect.poll(() => page.getAttribute("#chat-fast", "aria-checked")).toBe("false");
    gateway.anthropic.enqueue({ text: "Standard answer." });
    await page.fill("#chat-input", "no hurry");
    await page.click("#chat-send");
    await page.waitForSelector(".msg.assistant >> text=Standard answer.");
    // Back to the model's default (none): the choice is cleared, not stored as off.
    expect(gateway.anthropic.requests.at(-1)!.body).not.toHaveProperty("service_tier");
    // The first test starts the shared browser and gateway, then sends two turns.
  }, 60_000);

  it("shows a model's own default, and is disabled with why where Fast mode does nothing", async () => {
    const page = await openChat();
    await page.waitForSelector('#chat-model option[value="google/gemini-2.5-pro"]', { state: "attached" });

    await page.selectOption("#chat-model", "anthropic/claude-opus-4-6");
    await expect.poll(() => state(page)).toEqual({ checked: "true", disabled: "false" });

    await page.selectOption("#chat-model", "google/gemini-2.5-pro");
    await expect.poll(() => state(page)).toEqual({ checked: "false", disabled: "true" });
    expect(await page.getAttribute("#chat-fast", "title")).toBe("Fast mode does nothing for this model");
    // aria-disabled, not disabled, so the tooltip shows: a click (forced past Playwright's check) does nothing.
    await page.click("#chat-fast", { force: true });
    expect(await state(page)).toEqual({ checked: "false", disabled: "true" });
  });

  it("the thinking level: chosen in the composer, saved on the session, carried by the next request, cleared", async () => {
    const { gateway } = await fixture();
    const page = await openChat();
    // The test model (Claude Sonnet 4.5) thinks only when asked: its default is off.
    await expect.poll(() => page.textContent("#chat-thinking option")).toBe("Thinking: default (off)");
    await page.selectOption("#chat-thinking", "high");
    await expect.poll(() => page.inputValue("#chat-thinking")).toBe("high");
    gateway.anthropic.enqueue({ text: "Thought it through." });
    await page.fill("#chat-input", "think hard");
    await page.click("#chat-send");
    await page.waitForSelector(".msg.assistant >> text=Thought it through.");
    expect(gateway.anthropic.requests.at(-1)!.body.thinking).toEqual({
      type: "enabled",
      budget_tokens: 16384,
    });

    // Saved on the session: a reload shows it; "Thinking: default (off)" clears it and the next request asks for none.
    const session = await page.getAttribute("#chat-session", "data-key");
    await page.reload();
    await connectWithToken(page);
    await page.waitForSelector("#chat-input");
    await page.click(`.session-row[data-key="${session}"] .session-open`);
    await expect.poll(() => page.inputValue("#chat-thinking")).toBe("high");
    await page.selectOption("#chat-thinking", "");
    await expect.poll(() => page.inputValue("#chat-thinking")).toBe("");
    gateway.anthropic.enqueue({ text: "Quick one." });
    await page.fill("#chat-input", "no need to think");
    await page.click("#chat-send");
    await page.waitForSelector(".msg.assistant >> text=Quick one.");
    expect(gateway.anthropic.requests.at(-1)!.body).not.toHaveProperty("thinking");
  }, 60_000);

  it("speaks Chinese", async () => {
    const { browser, gateway } = await fixture();
    const { context, page } = await openPage(browser, gateway.url, { locale: "zh-Hant" });
    closers.push(() => context.close());
    await connectWithToken(page);
    await page.waitForSelector("#chat-fast");
    expect(await page.textContent("#chat-fast")).toBe("快速");
    expect(await page.getAttribute("#chat-fast", "title")).toBe("快速模式已關");
  });
});
