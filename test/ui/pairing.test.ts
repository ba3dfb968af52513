import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { connectWithToken, openPage, screenshot, useUiFixture } from "./harness.js";

const ui = useUiFixture();

describe("Control UI: pairing approvals", () => {
  it("lists a stranger's pending pairing request and approves it with one click", async () => {
    const { browser, gateway } = await ui();
    const credentials = path.join(gateway.stateDir, "credentials");
    mkdirSync(credentials, { recursive: true });
    const now = new Date().toISOString();
    writeFileSync(
      path.join(credentials, "discord-pairing.json"),
      JSON.stringify({
        version: 1,
        requests: [
          {
            id: "111222333",
            code: "ABCD2345",
            accountId: "default",
            createdAt: now,
            lastSeenAt: now,
            meta: { name: "alice" },
          },
        ],
      }),
    );
    const { context, page, problems } = await openPage(browser, gateway.url);
    try {
      await connectWithToken(page);
      await page.click("nav a[data-nav=channels]");
      await page.waitForSelector('#pairing tr[data-code="ABCD2345"] >> text=alice (111222333)');
      await page.waitForSelector('article[data-channel="discord"] >> text=not configured');
      await screenshot(page, "pairing");
      await page.click('#pairing tr[data-code="ABCD2345"] >> text=Approve');
      await page.waitForSelector("#pairing .banner.ok >> text=Approved alice");
      await page.waitForSelector("#pairing >> text=No one is waiting for approval.");
      const allow = JSON.parse(
        readFileSync(path.join(credentials, "discord-default-allowFrom.json"), "utf8"),
      );
      expect(allow.allowFrom).toEqual(["111222333"]);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
