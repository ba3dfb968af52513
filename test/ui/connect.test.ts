import { afterEach, describe, expect, it } from "vitest";
import { connectWithToken, openPage, screenshot, TOKEN, useUiFixture } from "./harness.js";

const ui = useUiFixture();

/** The URLs the page has fetched so far, one per line. */
function resources(page: { evaluate(expr: string): Promise<unknown> }): Promise<string> {
  return page.evaluate(
    `performance.getEntriesByType("resource").map((r) => r.name).join("\\n")`,
  ) as Promise<string>;
}
const contexts: { close(): Promise<void> }[] = [];

afterEach(async () => {
  await Promise.all(contexts.splice(0).map((c) => c.close()));
});

describe("Control UI: connect", () => {
  it("serves the UI with a CSP and connects with the pasted token, which stays out of the URL", async () => {
    const { browser, gateway } = await ui();
    const response = await fetch(gateway.url);
    expect(response.headers.get("content-security-policy")).toContain("script-src 'self'");
    const html = await response.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)/); // no inline script
    const script = /src="\.\/(assets\/app-[A-Z0-9]+\.js)"/.exec(html)?.[1]; // relative, hashed
    expect(script).toBeDefined();
    const asset = await fetch(`${gateway.url}${script}`, { headers: { "accept-encoding": "gzip" } });
    expect(asset.headers.get("content-encoding")).toBe("gzip");
    expect(asset.headers.get("cache-control")).toContain("immutable");
    expect((await asset.text()).length).toBeGreaterThan(Number(asset.headers.get("content-length")));

    const { context, page, problems } = await openPage(browser, gateway.url);
    contexts.push(context);
    await connectWithToken(page);
    await page.waitForSelector("nav a[data-nav=chat].active");
    await page.waitForSelector("#chat-input");
    expect(page.url()).not.toContain(TOKEN);
    // Not remembered: nothing in storage.
    expect(await page.evaluate("JSON.stringify(localStorage)")).not.toContain(TOKEN);
    await screenshot(page, "connected-chat");
    expect(problems).toEqual([]);
    // An English page never downloads another language's catalogue.
    expect(await resources(page)).not.toMatch(/chunks\/zh-/);
    expect(gateway.gw.output().stdout + gateway.gw.output().stderr).not.toContain(TOKEN);
  });

  it("refuses a wrong token with a clear message", async () => {
    const { browser, gateway } = await ui();
    const { context, page } = await openPage(browser, gateway.url);
    contexts.push(context);
    await connectWithToken(page, "not-the-token");
    const error = await page.waitForSelector("#connect-error");
    expect(await error.textContent()).toContain("Wrong token: the gateway refused it");
    expect(await page.$("nav")).toBeNull();
    await screenshot(page, "wrong-token");
    // The right token still works afterwards (and resets the failure count).
    await connectWithToken(page);
    await page.waitForSelector("#chat-input");
  });

  it("remembers the token only when asked, and reconnects from it after a reload", async () => {
    const { browser, gateway } = await ui();
    const { context, page } = await openPage(browser, gateway.url);
    contexts.push(context);
    await connectWithToken(page, TOKEN, true);
    await page.waitForSelector("#chat-input");
    await page.reload();
    await page.waitForSelector("#chat-input");
    await page.click("#disconnect");
    await page.waitForSelector("#connect-form");
    expect(await page.evaluate("JSON.stringify(localStorage)")).not.toContain(TOKEN);
  });

  it("chooses the language from the browser and switches it on demand", async () => {
    const { browser, gateway } = await ui();
    const { context, page } = await openPage(browser, gateway.url, { locale: "zh-TW" });
    contexts.push(context);
    expect(await page.textContent("#connect")).toBe("連線");
    expect(await page.getAttribute("html", "lang")).toBe("zh-Hant");
    // The first render already showed Traditional Chinese: only its own catalogue came.
    expect(await resources(page)).toMatch(/chunks\/zh-Hant-/);
    expect(await resources(page)).not.toMatch(/chunks\/zh-Hans-/);
    await page.selectOption("#language", "zh-Hans");
    await page.waitForSelector("html[lang=zh-Hans]");
    expect(await page.textContent("#connect")).toBe("连接");
    await connectWithToken(page, "wrong");
    expect(await (await page.waitForSelector("#connect-error")).textContent()).toContain("令牌错误");
    await screenshot(page, "language-zh-Hans");
    await page.selectOption("#language", "en");
    await page.waitForSelector("html[lang=en]");
    expect(await page.textContent("#connect")).toBe("Connect");
    await connectWithToken(page);
    expect(await (await page.waitForSelector("nav a[data-nav=config]")).textContent()).toBe("Config");
  });
});

describe("Control UI: rate limit", () => {
  const limitedUi = useUiFixture({ gateway: { auth: { rateLimit: { maxAttempts: 1, lockoutMs: 60_000 } } } });

  it("says how long to wait after too many wrong tokens", async () => {
    const { browser, gateway } = await limitedUi();
    const { context, page } = await openPage(browser, gateway.url);
    contexts.push(context);
    await connectWithToken(page, "wrong-1");
    await page.waitForSelector("#connect-error");
    await connectWithToken(page, "wrong-2");
    await page.waitForSelector("#connect-error >> text=/Too many failed attempts. Try again in \\d+ s/");
    await screenshot(page, "rate-limited");
  });
});
