import { describe, expect, it } from "vitest";
import { TEST_MODEL } from "../helpers/config.js";
import { connectWithToken, openPage, screenshot, useUiFixture } from "./harness.js";

/** A second model on the same fake Anthropic: the chain fails over to it when the primary refuses. */
const FALLBACK = "anthropic/claude-haiku-4-5";
/** The fallback's answer is held back this long, so the "retrying" state can be seen while it lasts. */
const FALLBACK_DELAY_MS = 4000;

const ui = useUiFixture({
  agents: { defaults: { model: { primary: TEST_MODEL, fallbacks: [FALLBACK] } } },
});

describe("Control UI: a run that fails over to a fallback model", () => {
  it("says it is retrying with the fallback while it does, and which model took over after", async () => {
    const { browser, gateway } = await ui();
    gateway.anthropic.enqueue(
      { status: 529, message: "Overloaded" },
      {
        slowMs: FALLBACK_DELAY_MS,
        // biome-ignore lint/suspicious/noThenProperty: the fake server's slow-reply script names its follow-up `then`
        then: { text: "Answer from the **fallback**.", usage: { input: 7, output: 3 } },
      },
    );
    const { context, page, problems } = await openPage(browser, gateway.url);
    try {
      await connectWithToken(page);
      await page.fill("#chat-input", "are you there?");
      await page.click("#chat-send");

      // While the fallback works on it: the live bubble says what failed and what is tried now.
      const live = page.locator("#streaming .fallback");
      await live.waitFor();
      expect(await live.getAttribute("data-from")).toBe(TEST_MODEL);
      expect(await live.getAttribute("data-to")).toBe(FALLBACK);
      expect(await live.textContent()).toBe(
        `${TEST_MODEL} failed: retrying with the fallback model ${FALLBACK}… (overloaded)`,
      );
      await screenshot(page, "chat-fallback-retrying");

      // The answer: from the fallback, and the turn keeps saying so.
      const answer = page.locator(".msg.assistant:not(.streaming)").last();
      await answer.locator(".md strong >> text=fallback").waitFor();
      expect(await answer.locator(".fallback").textContent()).toBe(
        `Switched to the fallback model ${FALLBACK}: ${TEST_MODEL} failed (overloaded)`,
      );
      expect(await answer.locator(".turn-meta .model").textContent()).toBe(FALLBACK);
      // Both requests reached the fake: the primary's, then the fallback's.
      expect(gateway.anthropic.requests.map((r) => r.body.model)).toEqual([
        "claude-sonnet-4-5",
        "claude-haiku-4-5",
      ]);
      // The run is over: the sidebar shows no running dot, the composer no Stop.
      await page.waitForSelector("#chat-stop", { state: "detached" });
      expect(await page.locator(".chat-head .running").count()).toBe(0);
      await screenshot(page, "chat-fallback");

      // Kept in the transcript: after a reload the answer still says what took over and why.
      await page.reload();
      await connectWithToken(page);
      const reloaded = page.locator(".msg.assistant").last();
      await reloaded.locator(".md strong >> text=fallback").waitFor();
      expect(await reloaded.locator(".fallback").textContent()).toBe(
        `Switched to the fallback model ${FALLBACK}: ${TEST_MODEL} failed (overloaded)`,
      );
      expect(await reloaded.locator(".turn-meta .model").textContent()).toBe(FALLBACK);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  }, 60_000);
});
