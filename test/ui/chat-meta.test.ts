/**
 * Messages in Chromium: the assistant's name and avatar from `agent.identity.get`
 * (agents.list[].identity), a compact localized time on each message with the full date
 * as its tooltip (live and after a reload, from the transcript), and tables with Copy
 * (TSV for a spreadsheet) and Expand (a modal view: Esc closes it, focus goes back).
 */
import { describe, expect, it } from "vitest";
import { connectWithToken, openPage, screenshot, sendChat, useChatPages, useUiFixture } from "./harness.js";

const ui = useUiFixture({
  agents: { list: [{ id: "main", default: true, identity: { name: "Samantha", emoji: "🦥" } }] },
});
const chat = useChatPages(ui);

const WIDE_TABLE = [
  "| city | country | population | area km² | note |",
  "| --- | --- | ---: | ---: | --- |",
  "| Oslo | Norway | 709,037 | 454 | **capital** with a fjord and a very long remark that makes it wide |",
  "| Bergen | Norway | 291,940 | 465 | rain, `code`, and more words to widen the table further still |",
].join("\n");

describe("Control UI: message name, avatar, time and tables", () => {
  it("shows the assistant's name and emoji and when each message was written, also after a reload", async () => {
    const { gateway } = await ui();
    gateway.anthropic.enqueue({ text: "Hello from the sloth." });
    const { page, problems } = await chat.open();
    await page.click("#new-session");
    await sendChat(page, "hi");
    const answer = page.locator(".msg.assistant").last();
    await answer.locator("text=Hello from the sloth.").waitFor();
    expect(await answer.locator(".msg-head .who").textContent()).toBe("Samantha");
    expect(await answer.locator(".msg-head .avatar").textContent()).toBe("🦥");
    // Just written: relative ("now"), the full date and time on hover, a machine-readable datetime.
    const stamp = page.locator(".msg.user .stamp").last();
    expect(await stamp.textContent()).toBe("this minute");
    const title = (await stamp.getAttribute("title"))!;
    expect(title).toContain(String(new Date().getFullYear()));
    const live = Date.parse((await stamp.getAttribute("datetime"))!);
    expect(Math.abs(live - Date.now())).toBeLessThan(60_000);
    // After a reload the times come from the transcript.
    const session = await page.getAttribute("#chat-session", "data-key");
    await page.reload();
    await connectWithToken(page);
    await page.click(`.session-row[data-key="${session}"] .session-open`);
    await page.locator(".msg.assistant >> text=Hello from the sloth.").waitFor();
    const stored = Date.parse((await page.locator(".msg.user .stamp").last().getAttribute("datetime"))!);
    expect(Math.abs(stored - live)).toBeLessThan(5_000);
    expect(await page.locator(".msg.assistant .stamp").count()).toBe(1);
    await screenshot(page, "chat-meta");
    expect(problems).toEqual([]);
  });

  it("in Chinese, the time and its tooltip are in Chinese", async () => {
    const { browser, gateway } = await ui();
    gateway.anthropic.enqueue({ text: "你好" });
    const { context, page } = await openPage(browser, gateway.url, { locale: "zh-CN" });
    chat.contexts.push(context);
    await connectWithToken(page);
    await page.click("#new-session");
    await sendChat(page, "你好");
    const stamp = page.locator(".msg.user .stamp").last();
    await stamp.waitFor();
    expect(await stamp.getAttribute("title")).toMatch(/\d{4}年\d{1,2}月\d{1,2}日星期/);
    expect(await stamp.textContent()).toMatch(/[\u4e00-\u9fff]/);
  });

  it("Copy table puts tab-separated rows on the clipboard; Expand opens it full width, Esc closes and focus returns", async () => {
    const { gateway } = await ui();
    gateway.anthropic.enqueue({ text: `Cities:\n\n${WIDE_TABLE}` });
    const { page, problems } = await chat.open({ clipboard: true });
    await sendChat(page, "cities please");
    const answer = page.locator(".msg.assistant").last();
    await answer.locator(".md-table").waitFor();
    await answer.locator('[aria-label="Copy table"]').click();
    expect(await page.evaluate("navigator.clipboard.readText()")).toBe(
      [
        "city\tcountry\tpopulation\tarea km²\tnote",
        "Oslo\tNorway\t709,037\t454\tcapital with a fjord and a very long remark that makes it wide",
        "Bergen\tNorway\t291,940\t465\train, code, and more words to widen the table further still",
      ].join("\n"),
    );
    const expand = answer.locator("button >> text=Expand table");
    await expand.click();
    const dialog = page.locator("dialog.table-dialog[open]");
    await dialog.waitFor();
    expect(await dialog.locator("td").count()).toBe(10);
    expect(await page.evaluate("!!document.activeElement.closest('dialog')")).toBe(true);
    await screenshot(page, "chat-table-expanded");
    await page.keyboard.press("Escape");
    await page.locator("dialog.table-dialog").waitFor({ state: "detached" });
    expect(await page.evaluate("document.activeElement.textContent")).toBe("Expand table");
    expect(problems).toEqual([]);
  });

  it("on a 390×844 phone: no sideways scroll, 44 px table buttons, the expanded table scrolls inside itself", async () => {
    const { browser, gateway } = await ui();
    gateway.anthropic.enqueue({ text: WIDE_TABLE });
    const opts = { viewport: { width: 390, height: 844 }, mobile: true };
    const { context, page } = await openPage(browser, gateway.url, opts);
    chat.contexts.push(context);
    await connectWithToken(page);
    const tables = await page.locator(".msg.assistant .md-table").count();
    await sendChat(page, "a wide table");
    await page.locator(".msg.assistant .md-table").nth(tables).waitFor();
    // Measured once the answer is final (the streaming bubble is replaced by the transcript's).
    await page.locator("#streaming").waitFor({ state: "detached" });
    expect(await page.$eval("html", (el) => el.scrollWidth - el.clientWidth)).toBe(0);
    const heights = await page.$$eval(".msg.assistant .table-bar button", (els) =>
      els.map((el) => `${el.textContent}: ${el.getBoundingClientRect().height}`),
    );
    expect(heights.length).toBeGreaterThan(0);
    expect(heights.filter((h) => Number(h.split(": ")[1]) < 44)).toEqual([]);
    await page.locator(".msg.assistant button >> text=Expand table").last().click();
    await page.locator("dialog.table-dialog[open]").waitFor();
    expect(await page.$eval("html", (el) => el.scrollWidth - el.clientWidth)).toBe(0);
    const box = (await page.locator("dialog.table-dialog").boundingBox())!;
    expect(box.width).toBeLessThanOrEqual(390);
    await screenshot(page, "phone-table-expanded");
    await page.click("dialog.table-dialog button >> text=Close");
    await page.locator("dialog.table-dialog").waitFor({ state: "detached" });
  });
});
