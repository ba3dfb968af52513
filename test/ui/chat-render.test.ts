import { describe, expect, it } from "vitest";
import { screenshot, sendChat, useChatPages, useUiFixture } from "./harness.js";

const ui = useUiFixture();
const chat = useChatPages(ui);

const MARKDOWN = [
  "Here is **the plan**:",
  "",
  "```python",
  "print('hi <b>')",
  "```",
  "",
  "| city | temp |",
  "| --- | ---: |",
  "| Oslo | 3 |",
  "",
  "See [the docs](https://example.com/docs) &amp; more.",
].join("\n");

/** Each would run script if the model's text reached the page as HTML. */
const PAYLOADS = [
  "<script>window.__pwned = 'script'</script>",
  '<img src="x" onerror="window.__pwned = \'img\'">',
  "[click me](javascript:window.__pwned='link')",
  "![pic](javascript:window.__pwned='image')",
  "<svg onload=\"window.__pwned = 'svg'\"></svg>",
  '<a href="javascript:window.__pwned=1">raw link</a>',
].join("\n\n");

describe("Control UI: chat rendering", () => {
  it("renders markdown: a code block with its language and a copy button, a table and a link", async () => {
    const { gateway } = await ui();
    gateway.anthropic.enqueue({ text: MARKDOWN, usage: { input: 1234, output: 56 } });
    const { page, problems } = await chat.open({ remember: true, clipboard: true });
    await sendChat(page, "plan please");
    const answer = page.locator(".msg.assistant").last();
    await answer.locator(".md strong >> text=the plan").waitFor();
    expect(await answer.locator(".codeblock .lang").textContent()).toBe("python");
    expect(await answer.locator(".codeblock code").textContent()).toBe("print('hi <b>')");
    expect(await answer.locator("table th").allTextContents()).toEqual(["city", "temp"]);
    expect(await answer.locator("table td").allTextContents()).toEqual(["Oslo", "3"]);
    const link = answer.locator("a >> text=the docs");
    expect(await link.getAttribute("href")).toBe("https://example.com/docs");
    expect(await link.getAttribute("target")).toBe("_blank");
    expect(await link.getAttribute("rel")).toBe("noopener noreferrer");
    expect(await answer.locator("p >> text=/& more/").count()).toBe(1);
    // The model that answered and the turn's tokens.
    expect(await answer.locator(".turn-meta .model").textContent()).toContain("claude");
    expect(await answer.locator(".turn-meta .usage").textContent()).toBe("1,234 in · 56 out tokens");

    await answer.locator(".codeblock button.copy").click();
    await answer.locator(".codeblock button.copy >> text=Copied").waitFor();
    expect(await page.evaluate("navigator.clipboard.readText()")).toBe("print('hi <b>')");
    await screenshot(page, "chat-markdown");

    // The same rendering after a reload, from chat.history.
    await page.reload();
    await page.waitForSelector(".msg.assistant .codeblock .lang >> text=python");
    expect(problems).toEqual([]);
  });

  it("shows HTML and script from the model as text: nothing in it ever runs", async () => {
    const { gateway } = await ui();
    gateway.anthropic.enqueue({ text: PAYLOADS });
    const { page, problems } = await chat.open({ remember: true, clipboard: true });
    await sendChat(page, PAYLOADS);
    const answer = page.locator(".msg.assistant").last();
    await answer.locator("text=<script>window.__pwned = 'script'</script>").waitFor();
    await answer.locator(`text=<img src="x" onerror="window.__pwned = 'img'">`).waitFor();
    const msgs = page.locator("#messages");
    expect(await msgs.locator("img, script, svg, iframe").count()).toBe(0);
    expect(await msgs.locator('a[href^="javascript:" i]').count()).toBe(0);
    // The unsafe link is its text, and clicking it does nothing.
    await answer.locator("text=click me").click();
    await page.reload();
    await page.waitForSelector(".msg.assistant >> text=raw link");
    expect(
      await page.locator("#messages").locator("img, script, svg, a[href^='javascript:' i]").count(),
    ).toBe(0);
    expect(await page.evaluate("window.__pwned")).toBeUndefined();
    expect(problems).toEqual([]);
  });

  it("shows a tool call as a card that opens to its arguments, result and duration", async () => {
    const { gateway } = await ui();
    gateway.anthropic.enqueue(
      { toolCalls: [{ name: "session_status", args: { verbose: true } }] },
      { text: "All good." },
    );
    const { page } = await chat.open({ clipboard: true });
    await sendChat(page, "status?");
    await page.waitForSelector(".msg.assistant >> text=All good.");
    const card = page.locator("details.tool[data-tool=session_status]").last();
    expect(await card.getAttribute("open")).toBeNull();
    expect(await card.locator(".tool-section").first().isVisible()).toBe(false);
    await card.locator("summary").click();
    expect(await card.getAttribute("open")).toBe("");
    expect(await card.locator(".tool-section pre").first().textContent()).toContain('"verbose": true');
    expect(await card.locator("pre.result").textContent()).not.toBe("");
    expect(await card.locator("summary").textContent()).toMatch(/\d+(\.\d)? (ms|s)/);
    await screenshot(page, "chat-tool-card");
  });

  it("shows the user's message before the gateway answers, and jumps to the latest on request", async () => {
    const { gateway } = await ui();
    gateway.anthropic.setDefault({ text: Array.from({ length: 40 }, (_, i) => `line ${i}`).join("\n\n") });
    const { page } = await chat.open({ clipboard: true });
    // Held back: chat.send's answer never arrives before the user's bubble is checked.
    await page.evaluate(`(() => {
      const real = WebSocket.prototype.send;
      window.__release = () => undefined;
      WebSocket.prototype.send = function (data) {
        if (String(data).includes('"chat.send"')) {
          window.__release = () => real.call(this, data);
          return;
        }
        real.call(this, data);
      };
    })()`);
    const asked = gateway.anthropic.requests.length;
    await sendChat(page, "first");
    await page.waitForSelector(".msg.user.sending >> text=first");
    expect(gateway.anthropic.requests.length).toBe(asked);
    await page.evaluate("window.__release()");
    await page.waitForSelector(".msg.assistant >> text=line 39");
    await page.waitForSelector(".msg.user.sending", { state: "detached" });
    await page.$eval("#messages", (el) => el.scrollTo(0, 0));
    await page.click("#jump-latest");
    await page.waitForSelector("#jump-latest", { state: "detached" });
    const atEnd = await page.$eval("#messages", (el) => el.scrollHeight - el.scrollTop - el.clientHeight);
    expect(atEnd).toBeLessThan(2);
  });
});
