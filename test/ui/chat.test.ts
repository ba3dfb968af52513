import { describe, expect, it } from "vitest";
import { connectWithToken, openPage, screenshot, sendChat, useChatPages, useUiFixture } from "./harness.js";

const ui = useUiFixture();
const chat = useChatPages(ui);
const { contexts } = chat;

describe("Control UI: chat", () => {
  it("sends a message, shows the model's reply, and shows it again from history after a reload", async () => {
    const { gateway } = await ui();
    gateway.anthropic.enqueue({ text: "Hello from the fake model, in several pieces." });
    const { page, problems } = await chat.open({ remember: true });
    await sendChat(page, "hi there");
    await page.waitForSelector(".msg.user >> text=hi there");
    await page.waitForSelector(".msg.assistant >> text=Hello from the fake model, in several pieces.");
    expect(JSON.stringify(gateway.anthropic.requests.at(-1)?.body.messages)).toContain("hi there");
    await screenshot(page, "chat-reply");

    await page.reload();
    await page.waitForSelector("#chat-input");
    await page.waitForSelector(".msg.user >> text=hi there");
    await page.waitForSelector(".msg.assistant >> text=Hello from the fake model, in several pieces.");
    expect(problems).toEqual([]);
  });

  it("keeps a message sent while the history is still loading (the history answer does not replace it)", async () => {
    const { browser, gateway } = await ui();
    gateway.anthropic.enqueue({ text: "Answered before the history came." }, { text: "Second answer." });
    const { context, page } = await openPage(browser, gateway.url);
    contexts.push(context);
    // Relay the page's socket and hold the first chat.history answer until we let it go.
    let releaseHistory: (() => void) | undefined;
    await page.routeWebSocket(/./, (ws) => {
      const server = ws.connectToServer();
      const historyIds = new Set<string>();
      ws.onMessage((message) => {
        const frame = JSON.parse(String(message)) as { type?: string; method?: string; id?: string };
        if (frame.type === "req" && frame.method === "chat.history" && frame.id) historyIds.add(frame.id);
        server.send(message);
      });
      server.onMessage((message) => {
        const frame = JSON.parse(String(message)) as { type?: string; id?: string };
        if (frame.type === "res" && frame.id && historyIds.has(frame.id) && !releaseHistory) {
          releaseHistory = () => ws.send(message);
          return;
        }
        ws.send(message);
      });
    });
    await connectWithToken(page);
    await page.waitForSelector("#chat-input");
    await sendChat(page, "sent before the history came");
    await page.waitForSelector(".msg.assistant >> text=Answered before the history came.");
    expect(releaseHistory).toBeDefined();
    releaseHistory!();
    // The second run's events come after the history answer on the same socket: once its
    // answer shows, the page has applied the history, and the first exchange must still be there.
    await sendChat(page, "and a second one");
    await page.waitForSelector(".msg.assistant >> text=Second answer.");
    // (The fixture's gateway is shared: earlier tests' messages come first, from the history.)
    const users = await page.locator(".msg.user").allTextContents();
    expect(users.slice(-2)).toEqual([
      expect.stringContaining("sent before the history came"),
      expect.stringContaining("and a second one"),
    ]);
    expect(users.filter((u) => u.includes("sent before the history came"))).toHaveLength(1);
    await page.waitForSelector(".msg.assistant >> text=Answered before the history came.");
  });

  it("streams the first tokens while the model is still answering, and Stop aborts the run", async () => {
    const { gateway } = await ui();
    gateway.anthropic.enqueue({ stall: "afterFirstToken" });
    const { page } = await chat.open();
    await sendChat(page, "take your time");
    // The fake sent one token and then hangs: only a streamed delta can put it on screen.
    await page.waitForSelector("#streaming >> text=partial");
    await screenshot(page, "chat-streaming");
    await page.click("#chat-stop");
    await page.waitForSelector(".msg.assistant >> text=Stopped.");
    await page.waitForSelector("#chat-stop", { state: "detached" });
    expect(await page.$("#streaming")).toBeNull();
    await screenshot(page, "chat-stopped");
  });

  it("shows tool calls collapsed under the answer", async () => {
    const { gateway } = await ui();
    gateway.anthropic.enqueue(
      { toolCalls: [{ name: "session_status", args: {} }] },
      { text: "The session is fine." },
    );
    const { page } = await chat.open();
    await sendChat(page, "how is the session?");
    await page.waitForSelector(".msg.assistant >> text=The session is fine.");
    const tool = page.locator("details.tool").first();
    await tool.waitFor();
    expect(await tool.getAttribute("open")).toBeNull();
    expect(await tool.locator("summary").textContent()).toContain("session_status");
  });
});

describe("Control UI: sessions in chat", () => {
  it("starts a new session and chats in it, apart from the main one", async () => {
    const { gateway } = await ui();
    gateway.anthropic.enqueue({ text: "main answer" }, { text: "fresh start" });
    const { page } = await chat.open();
    await sendChat(page, "in main");
    await page.waitForSelector(".msg.assistant >> text=main answer");
    await page.click("#new-session");
    const key = await page.getAttribute("#chat-session", "data-key");
    expect(key).toMatch(/^agent:main:ui-[0-9a-f]{8}$/);
    await page.waitForSelector("text=No messages in this session yet.");
    await sendChat(page, "hello new session");
    await page.waitForSelector(".msg.assistant >> text=fresh start");
    await page.click('#session-list li[data-key="agent:main:main"] .session-open');
    await page.waitForSelector(".msg.user >> text=in main");
    expect(await page.$("text=hello new session")).toBeNull();
  });
});
