import { readFileSync, writeFileSync } from "node:fs";
import JSON5 from "json5";
import type { Page } from "playwright-core";
import { afterEach, describe, expect, it } from "vitest";
import { connectWithToken, openPage, screenshot, type UiGateway, useUiFixture } from "./harness.js";

const ui = useUiFixture();
const contexts: { close(): Promise<void> }[] = [];

afterEach(async () => {
  await Promise.all(contexts.splice(0).map((c) => c.close()));
});

const fileConfig = (gateway: UiGateway) => JSON5.parse(readFileSync(gateway.configFile, "utf8"));

async function configPage(): Promise<Page> {
  const { browser, gateway } = await ui();
  const { context, page } = await openPage(browser, `${gateway.url}#/config`);
  contexts.push(context);
  await connectWithToken(page);
  await page.waitForSelector("#config-tab-form");
  return page;
}

describe("Control UI: config", () => {
  it("form: an invalid value is explained beside its field; a valid one is saved and applied live", async () => {
    const { gateway } = await ui();
    const page = await configPage();
    const field = 'input[data-path="agents.defaults.maxConcurrent"]';
    await page.click('details[data-path="agents"] > summary');
    await page.click('details[data-path="agents.defaults"] > summary');
    expect(await page.inputValue(field)).toBe("2");
    await page.fill(field, "0");
    await page.click("#config-save");
    const error = await page.waitForSelector('[data-error-for="agents.defaults.maxConcurrent"]');
    expect(await error.textContent()).toMatch(/must be/);
    expect(fileConfig(gateway).agents.defaults.maxConcurrent).toBe(2);
    await screenshot(page, "config-invalid-field");

    await page.fill(field, "3");
    await page.click("#config-save");
    const saved = await page.waitForSelector("#config-saved");
    expect(await saved.textContent()).toContain("Applied live");
    expect(await page.$('[data-error-for="agents.defaults.maxConcurrent"]')).toBeNull();
    expect(fileConfig(gateway).agents.defaults.maxConcurrent).toBe(3);
    await screenshot(page, "config-saved");
  });

  it("form: keys accepted only for OpenClaw compatibility carry a badge that says they do nothing yet", async () => {
    const page = await configPage();
    await page.click('details[data-path="agents"] > summary');
    await page.click('details[data-path="agents.defaults"] > summary');
    const badgeOf = (key: string) =>
      `.field:has([data-path="agents.defaults.${key}"]) > label [data-compat-only]`;
    const badge = await page.waitForSelector(badgeOf("userTimezone"));
    expect(await badge.textContent()).toBe("Accepted for OpenClaw compatibility; no effect yet");
    expect(await page.$(badgeOf("maxConcurrent"))).toBeNull();
    await screenshot(page, "config-compat-badge");
  });

  it("raw editor: rejects an invalid file, explains a stale hash with a reload, then applies", async () => {
    const { gateway } = await ui();
    const page = await configPage();
    await page.click("#config-tab-raw");
    const original = await page.inputValue("#config-raw");
    expect(original).toContain("anthropic");

    await page.fill(
      "#config-raw",
      original.replace('"mode": "local"', '"mode": "local", "port": "not a port"'),
    );
    await page.click("#config-apply");
    expect(await (await page.waitForSelector("#config-invalid")).textContent()).toContain("gateway.port");

    // Someone else edits the file: our next save must not overwrite their change.
    const theirs = fileConfig(gateway);
    theirs.logging = { level: "debug" };
    writeFileSync(gateway.configFile, JSON.stringify(theirs, null, 2));
    await page.fill("#config-raw", original.replace('"mode": "local"', '"mode": "local", "port": 18790'));
    await page.click("#config-apply");
    await page.waitForSelector("#config-conflict");
    await screenshot(page, "config-conflict");
    expect(fileConfig(gateway).logging).toEqual({ level: "debug" });
    await page.click("#config-reload");
    await page.waitForSelector("#config-conflict", { state: "detached" });
    // Polled from outside the page: waitForFunction compiles its string in the page, which the CSP refuses.
    await expect.poll(() => page.inputValue("#config-raw")).toContain('"debug"');
    const reloaded = await page.inputValue("#config-raw");

    await page.fill("#config-raw", reloaded.replace('"debug"', '"warn"'));
    await page.click("#config-apply");
    await page.waitForSelector("#config-saved");
    expect(fileConfig(gateway).logging).toEqual({ level: "warn" });
  });

  it("lists keys only OpenClaw knows: accepted from the raw editor, named as not supported yet", async () => {
    const { gateway } = await ui();
    const page = await configPage();
    expect(await page.$("#config-openclaw-only")).toBeNull();
    await page.click("#config-tab-raw");
    const original = await page.inputValue("#config-raw");
    await page.fill(
      "#config-raw",
      original.replace('"mode": "local"', '"mode": "local", "tls": { "enabled": false }'),
    );
    await page.click("#config-apply");
    await page.waitForSelector("#config-saved");
    const banner = await page.waitForSelector("#config-openclaw-only");
    expect(await banner.textContent()).toContain("accepted for OpenClaw compatibility, not supported yet");
    expect(await banner.textContent()).toContain("gateway.tls");
    expect(fileConfig(gateway).gateway.tls).toEqual({ enabled: false });
    await screenshot(page, "config-openclaw-only");
  });
});
