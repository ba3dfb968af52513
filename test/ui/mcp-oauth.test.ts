import { readdirSync } from "node:fs";
import path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import { type FakeOAuthMcp, startFakeOAuthMcp } from "../fakes/mcp/oauth.js";
import {
  connectWithToken,
  launchChromium,
  openPage,
  screenshot,
  startUiGateway,
  type UiGateway,
} from "./harness.js";

/**
 * Sign in from the Control UI's MCP list: the button opens the provider's page in a new
 * tab (the fake OAuth server approves at once and redirects back to the gateway), the
 * list then says signed in; Sign out removes the credentials.
 */

let fixture: Promise<{ fake: FakeOAuthMcp; gateway: UiGateway; browser: Browser }> | undefined;
/** The fake provider, then a gateway that uses it, and Chromium: started by the first test. */
const started = () =>
  (fixture ??= (async () => {
    const fake = await startFakeOAuthMcp();
    const [gateway, browser] = await Promise.all([
      startUiGateway({ mcp: { servers: { docs: { url: fake.url, auth: "oauth" } } } }),
      launchChromium(),
    ]);
    return { fake, gateway, browser };
  })());
afterAll(async () => {
  const running = await fixture?.catch(() => undefined);
  await running?.browser.close();
  await running?.gateway.close();
  await running?.fake.close();
});

describe("Control UI: MCP OAuth sign-in", () => {
  it.each([
    ["en-US", "Needs sign-in", "Sign in", "Signed in", "Sign out"],
    ["zh-CN", "需要登录", "登录", "已登录", "退出登录"],
    ["zh-TW", "需要登入", "登入", "已登入", "登出"],
  ])(
    "Sign in opens the provider, the row says signed in, Sign out undoes it (%s)",
    async (locale, needs, signIn, signedIn, signOut) => {
      const { browser, gateway } = await started();
      // zh-TW on a phone: the row wraps, no sideways scroll.
      const phone = locale === "zh-TW" ? { viewport: { width: 390, height: 844 }, mobile: true } : {};
      const { context, page, problems } = await openPage(browser, `${gateway.url}#/config`, {
        locale,
        ...phone,
      });
      try {
        await connectWithToken(page);
        const auth = '#mcp-table tr[data-server="docs"] .mcp-auth';
        await page.waitForSelector(`${auth}[data-auth="needs-sign-in"]`);
        expect(await page.textContent(`${auth} span`)).toBe(needs);
        expect(await page.textContent(`${auth} button`)).toBe(signIn);

        const tab = context.waitForEvent("page");
        await page.click(`${auth} button`);
        const provider = await tab;
        await provider.waitForLoadState();
        // The provider redirected the new tab to the gateway's callback, which stored the tokens.
        expect(new URL(provider.url()).pathname).toBe("/oauth/mcp/callback");
        expect(await provider.textContent("h1")).toBe("Signed in");
        // noopener: the provider's page cannot reach back into the Control UI.
        expect(await provider.evaluate("window.opener")).toBeNull();

        await page.waitForSelector(`${auth}[data-auth="signed-in"]`);
        expect(await page.textContent(`${auth} span`)).toBe(signedIn);
        if (locale === "en-US") await screenshot(page, "config-mcp-oauth");
        const dir = path.join(gateway.stateDir, "credentials", "mcp-oauth");
        expect(readdirSync(dir)).toHaveLength(1);

        expect(await page.textContent(`${auth} button`)).toBe(signOut);
        if (locale === "zh-TW") {
          expect(await page.$eval("html", (el) => el.scrollWidth - el.clientWidth)).toBe(0);
          expect((await page.locator(`${auth} button`).boundingBox())!.height).toBeGreaterThanOrEqual(44);
        }
        await page.click(`${auth} button`);
        await page.waitForSelector(`${auth}[data-auth="needs-sign-in"]`);
        expect(readdirSync(dir)).toEqual([]);
        expect(problems).toEqual([]);
      } finally {
        await context.close();
      }
    },
    // The first one also starts the fake, the gateway and Chromium (slow on a loaded machine).
    90_000,
  );
});
