import { describe, expect, it } from "vitest";
import {
  bubbles,
  connectWithToken,
  openPage,
  screenshot,
  sendChat,
  useChatPages,
  useUiFixture,
} from "./harness.js";

const ui = useUiFixture();
const chat = useChatPages(ui);

/** Each bubble's text without its buttons, in order. */

describe("Control UI: versions of the conversation, and Fork from here", () => {
  it("an edit leaves '‹ 2/2 ›' on the message; the arrows switch versions (by keyboard too); Fork opens a new session", async () => {
    const { gateway } = await ui();
    gateway.anthropic.enqueue({ text: "Answer one" }, { text: "Answer two" }, { text: "Answer to the edit" });
    const { page, problems } = await chat.open();
    await sendChat(page, "question one");
    await page.locator(".msg.assistant .md >> text=Answer one").waitFor();
    await sendChat(page, "question two");
    await page.locator(".msg.assistant .md >> text=Answer two").waitFor();
    await page.waitForSelector("#chat-stop", { state: "detached" });
    expect(await page.locator(".branch-nav").count()).toBe(0);

    // Edit the second question: once the new answer is in, the message says it has two versions.
    await page.hover(".msg.user >> nth=1");
    await page.click(".msg.user >> nth=1 >> .msg-edit");
    await expect.poll(() => page.inputValue("#chat-input")).toBe("question two");
    // Not sent yet: the version left behind is one arrow away, under the last message.
    const end = page.locator(".messages > .branch-nav");
    await end.waitFor();
    expect((await end.textContent())?.replace(/\s/g, "")).toBe("‹2/2›");
    await sendChat(page, "question two, edited");
    await page.locator(".msg.assistant .md >> text=Answer to the edit").waitFor();
    const nav = page.locator(".msg.user >> nth=1 >> .branch-nav");
    await nav.waitFor();
    expect(await end.count()).toBe(0);
    expect((await nav.textContent())?.replace(/\s/g, "")).toBe("‹2/2›");
    expect(await nav.locator("button >> nth=1").isDisabled()).toBe(true);
    await screenshot(page, "chat-branches");

    // Back to the first version, from the keyboard.
    await nav.locator("button >> nth=0").focus();
    await page.keyboard.press("Enter");
    await page.locator(".msg.assistant .md >> text=Answer two").waitFor();
    expect(await bubbles(page)).toEqual(["question one", "Answer one", "question two", "Answer two"]);
    const back = page.locator(".msg.user >> nth=1 >> .branch-nav");
    await expect.poll(async () => (await back.textContent())?.replace(/\s/g, "")).toBe("‹1/2›");

    // Fork from the second question: a new session with what came before, the question in its composer.
    const source = await page.getAttribute("#chat-session", "data-key");
    await page.hover(".msg.user >> nth=1");
    await page.click(".msg.user >> nth=1 >> .msg-fork");
    await expect.poll(() => page.getAttribute("#chat-session", "data-key")).toMatch(/^agent:main:dashboard:/);
    await expect.poll(() => bubbles(page)).toEqual(["question one", "Answer one"]);
    expect(await page.inputValue("#chat-input")).toBe("question two");
    const forked = await page.getAttribute("#chat-session", "data-key");
    expect(forked).not.toBe(source);
    await page.waitForSelector(`li[data-key="${forked}"]`);
    expect(problems).toEqual([]);
  }, 90_000);

  it("on a phone the version arrows and Fork are 44 px and nothing scrolls sideways", async () => {
    // The main session, which the test before left with two versions.
    const { browser, gateway } = await ui();
    const { context, page, problems } = await openPage(browser, gateway.url, {
      viewport: { width: 390, height: 844 },
      mobile: true,
    });
    chat.contexts.push(context);
    await connectWithToken(page);
    await page.locator(".branch-nav").first().waitFor();
    const heights = await page.$$eval(".branch-nav button, .msg-fork", (els) =>
      els.map((el) => Math.min(el.getBoundingClientRect().height, el.getBoundingClientRect().width)),
    );
    expect(heights.length).toBeGreaterThan(2);
    for (const h of heights) expect(h).toBeGreaterThanOrEqual(44);
    expect(await page.$eval("html", (el) => el.scrollWidth - el.clientWidth)).toBe(0);
    await screenshot(page, "chat-branches-phone");
    expect(problems).toEqual([]);
  }, 60_000);
});
