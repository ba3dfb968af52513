import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { connectWithToken, openPage, screenshot, useUiFixture } from "./harness.js";

const ui = useUiFixture();

describe("Control UI: Memory and Skills", () => {
  it("lists, shows and searches memory files, and shows which skills are offered and why not", async () => {
    const { browser, gateway } = await ui();
    const workspace = path.join(gateway.stateDir, "workspace");
    mkdirSync(path.join(workspace, "memory"), { recursive: true });
    writeFileSync(
      path.join(workspace, "memory", "2026-04-01.md"),
      "# April\n\nThe heron nests by the pond.\n",
    );
    mkdirSync(path.join(workspace, "skills", "birding"), { recursive: true });
    writeFileSync(
      path.join(workspace, "skills", "birding", "SKILL.md"),
      "---\ndescription: Identify birds\n---\n",
    );
    mkdirSync(path.join(workspace, "skills", "radar"), { recursive: true });
    writeFileSync(
      path.join(workspace, "skills", "radar", "SKILL.md"),
      '---\ndescription: Weather radar\nmetadata: {"openclaw": {"requires": {"env": ["RADAR_KEY"]}}}\n---\n',
    );
    const { context, page, problems } = await openPage(browser, gateway.url);
    try {
      await connectWithToken(page);
      await page.click("nav a[data-nav=memory]");
      await page.click("#memory-files >> text=memory/2026-04-01.md");
      expect(await (await page.waitForSelector("#memory-file pre")).textContent()).toContain("heron nests");
      await page.fill("#memory-search input", "pond");
      await page.click("#memory-search button");
      expect(await (await page.waitForSelector("#memory-hits li")).textContent()).toContain(
        "memory/2026-04-01.md:1-3",
      );
      await screenshot(page, "memory");

      await page.click("nav a[data-nav=skills]");
      await page.waitForSelector("#skills-table");
      expect(await page.textContent("#skills-table")).toContain("offered to the model");
      expect(await page.textContent("#skills-table")).toContain("missing env: RADAR_KEY");
      await screenshot(page, "skills");
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
