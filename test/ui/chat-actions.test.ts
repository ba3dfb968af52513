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

/** Each bubble's text without its action buttons, name and time, in order. */
const opacity = (page: import("playwright-core").Page, selector: string) =>
  page.$eval(selector, (el) => {
    // The test's lib has no DOM types; the browser has the function.
    const view = globalThis as unknown as { getComputedStyle(e: unknown): { opacity: string } };
    return view.getComputedStyle(el).opacity;
  });

describe("Control UI: actions on each message", () => {
  it("copies a message as markdown, regenerates the last answer, edits and resends a message", async () => {
    const { gateway } = await ui();
    gateway.anthropic.enqueue(
      { text: "**Answer** one" },
      { text: "Answer two" },
      { text: "Answer two, again" },
      { text: "Answer to the edit" },
    );
    const { page, problems } = await chat.open({ clipboard: true });
    await sendChat(page, "question one");
    await page.locator(".msg.assistant .md >> text=Answer").waitFor();
    await sendChat(page, "question two");
    await page.locator(".msg.assistant .md >> text=Answer two").waitFor();
    await page.waitForSelector("#chat-stop", { state: "detached" });

    // With a mouse the actions show on hover (or keyboard focus), not before.
    const first = ".msg.assistant >> nth=0";
    expect(await opacity(page, `${first} >> .msg-actions`)).toBe("0");
    await page.hover(first);
    await expect.poll(() => opacity(page, `${first} >> .msg-actions`)).toBe("1");
    await screenshot(page, "chat-message-actions-hover");
    await page.click(`${first} >> button.copy`);
    await page.locator(`${first} >> button.copy >> text=Copied`).waitFor();
    // The markdown as the model wrote it, not the rendered text.
    expect(await page.evaluate("navigator.clipboard.readText()")).toBe("**Answer** one");

    // Only the latest answer offers Regenerate; every user message offers Edit.
    expect(await page.locator(".msg.assistant .msg-regenerate").count()).toBe(1);
    expect(await page.locator(".msg.user .msg-edit").count()).toBe(2);
    await page.focus(".msg.assistant >> nth=1 >> .msg-regenerate");
    await expect.poll(() => opacity(page, ".msg.assistant >> nth=1 >> .msg-actions")).toBe("1");
    await page.keyboard.press("Enter");
    await page.locator(".msg.assistant .md >> text=Answer two, again").waitFor();
    await page.waitForSelector("#chat-stop", { state: "detached" });
    expect(await bubbles(page)).toEqual(["question one", "Answer one", "question two", "Answer two, again"]);
    // The model was asked without the answer it wrote first.
    const asked = JSON.stringify(gateway.anthropic.requests.at(-1)?.body.messages);
    expect(asked).toContain("question two");
    expect(asked).not.toContain("Answer two");

    // Edit: the message goes back into the composer, it and its answer leave the view.
    await page.hover(".msg.user >> nth=1");
    await page.click(".msg.user >> nth=1 >> .msg-edit");
    await expect.poll(() => page.inputValue("#chat-input")).toBe("question two");
    expect(await bubbles(page)).toEqual(["question one", "Answer one"]);
    await page.fill("#chat-input", "question two, better put");
    await page.click("#chat-send");
    await page.locator(".msg.assistant .md >> text=Answer to the edit").waitFor();
    await screenshot(page, "chat-message-actions");

    // The gateway keeps the conversation as edited: a reload shows the same.
    await page.reload();
    await connectWithToken(page);
    await page.locator(".msg.assistant .md >> text=Answer to the edit").waitFor();
    expect(await bubbles(page)).toEqual([
      "question one",
      "Answer one",
      "question two, better put",
      "Answer to the edit",
    ]);
    expect(problems).toEqual([]);
  }, 90_000);

  it("on a phone the actions are always there, 44 px tall, and nothing scrolls sideways", async () => {
    const { browser, gateway } = await ui();
    gateway.anthropic.enqueue({ text: "A short answer." });
    const { context, page, problems } = await openPage(browser, gateway.url, {
      viewport: { width: 390, height: 844 },
      mobile: true,
    });
    chat.contexts.push(context);
    await connectWithToken(page);
    await sendChat(page, "hi from the phone");
    await page.locator(".msg.assistant .md >> text=A short answer.").waitFor();
    await page.waitForSelector("#chat-stop", { state: "detached" });
    for (const selector of [".msg.assistant .msg-actions", ".msg.user .msg-actions"]) {
      expect(await opacity(page, selector)).toBe("1");
    }
    const heights = await page.$$eval(".msg-actions button", (els) =>
      els.map((el) => el.getBoundingClientRect().height),
    );
    // Each user message: Copy, Edit and Fork from here; the answers: Copy, and Regenerate on
    // the latest (the fixture's gateway keeps the earlier tests' turns in this session).
    const users = await page.locator(".msg.user").count();
    const answers = await page.locator(".msg.assistant").count();
    expect(heights.length).toBe(users * 3 + answers + 1);
    for (const h of heights) expect(h).toBeGreaterThanOrEqual(44);
    expect(await page.$eval("html", (el) => el.scrollWidth - el.clientWidth)).toBe(0);
    await screenshot(page, "chat-message-actions-phone");
    expect(problems).toEqual([]);
  }, 60_000);

  it("a page opened while a run is going shows it running in the sidebar (from sessions.list)", async () => {
    const { browser, gateway } = await ui();
    gateway.anthropic.enqueue({ stall: "afterFirstToken" });
    const { page } = await chat.open();
    await sendChat(page, "take your time");
    await page.waitForSelector("#streaming");

    // A second browser, opened mid-run: it heard no start event.
    const other = await openPage(browser, gateway.url);
    chat.contexts.push(other.context);
    await connectWithToken(other.page);
    const dot = 'li[data-key="agent:main:main"] .running';
    await other.page.waitForSelector(dot);
    expect(await other.page.locator(".chat-head .running").count()).toBe(1);

    // Stopped from the first page: the second hears the end and the dot goes.
    await page.click("#chat-stop");
    await other.page.waitForSelector(dot, { state: "detached" });
    expect(other.problems).toEqual([]);
  }, 60_000);
});
