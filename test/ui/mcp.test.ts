import { afterEach, describe, expect, it } from "vitest";
import { STDIO_SERVER } from "../fakes/mcp/http.js";
import { connectWithToken, openPage, screenshot, useUiFixture } from "./harness.js";

const ui = useUiFixture({
  mcp: {
    servers: {
      tools: { command: process.execPath, args: [STDIO_SERVER], toolFilter: { include: ["echo", "add"] } },
      parked: { command: process.execPath, args: [STDIO_SERVER], enabled: false },
    },
  },
});
const contexts: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(contexts.splice(0).map((c) => c.close()));
});

describe("Control UI: MCP servers on the config screen", () => {
  it.each([
    ["en-US", "Connected", "Disabled"],
    ["zh-CN", "已连接", "已禁用"],
    ["zh-TW", "已連線", "已停用"],
  ])("lists each server with its state and tool count (%s)", async (locale, connected, disabled) => {
    const { browser, gateway } = await ui();
    const { context, page, problems } = await openPage(browser, `${gateway.url}#/config`, { locale });
    contexts.push(context);
    await connectWithToken(page);
    const row = (name: string) => `#mcp-table tr[data-server="${name}"]`;
    await page.waitForSelector(`${row("tools")} [data-state="ready"]`);
    expect(await page.textContent(`${row("tools")} [data-state]`)).toBe(connected);
    expect(await page.textContent(`${row("tools")} [data-tools]`)).toBe("2");
    expect(await page.textContent(`${row("parked")} [data-state]`)).toBe(disabled);
    // The definitions are edited in the schema form's own MCP section.
    await page.waitForSelector('details[data-path="mcp"]');
    if (locale === "en-US") await screenshot(page, "config-mcp");
    expect(problems).toEqual([]);
  });
});
