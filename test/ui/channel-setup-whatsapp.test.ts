/**
 * Guided setup of WhatsApp from an unconfigured gateway: choose the policies, save (one
 * config.patch; the live reload starts the channel), then link by QR inside the flow.
 * The gateway runs in this process on the fake Baileys socket (test/fakes/whatsapp).
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import { createWhatsAppFromConfig } from "../../src/channels/whatsapp/factory.js";
import { fakeSocketFactory } from "../fakes/whatsapp/socket.js";
import { type InProcessGateway, startInProcessGateway } from "../helpers/in-process-gateway.js";
import { connectWithToken, launchChromium, openPage, screenshot, TOKEN } from "./harness.js";

let browser: Browser | undefined;
let gateway: InProcessGateway | undefined;
afterAll(async () => {
  await gateway?.close();
  await browser?.close();
});

describe("Control UI: guided WhatsApp setup", () => {
  it("saves channels.whatsapp with the chosen policies and links it by QR in the same flow", async () => {
    const sockets = fakeSocketFactory();
    gateway = await startInProcessGateway({
      token: TOKEN,
      config: {},
      factories: { whatsapp: (ctx) => createWhatsAppFromConfig(ctx, { makeSocket: sockets.make }) },
    });
    browser = await launchChromium();
    const { context, page, problems } = await openPage(browser, gateway.url);
    try {
      await connectWithToken(page);
      await page.click("nav a[data-nav=channels]");
      await page.click("#setup-whatsapp-open");
      // An allowlist needs ids: saying so before anything is written.
      await page.check('#setup-whatsapp-dm input[value="allowlist"]');
      await page.click("#setup-whatsapp-save");
      await page.waitForSelector("#setup-whatsapp-error >> text=Add at least one sender id");
      await page.fill("#setup-whatsapp-allowFrom", "+15550002222, +15550003333");
      await page.check('#setup-whatsapp-group input[value="disabled"]');
      await page.click("#setup-whatsapp-save");

      await page.waitForSelector("#setup-whatsapp #whatsapp-link");
      const saved = JSON.parse(readFileSync(path.join(gateway.stateDir, "openclaw.json"), "utf8"));
      expect(saved.channels.whatsapp).toEqual({
        enabled: true,
        dmPolicy: "allowlist",
        allowFrom: ["+15550002222", "+15550003333"],
        groupPolicy: "disabled",
      });

      const socketMade = sockets.next();
      await page.click("#setup-whatsapp #whatsapp-link");
      const socket = await socketMade;
      const qr = [`2@${randomBytes(66).toString("base64")}`, "a", "b", "c"].join(",");
      socket.emit("connection.update", { qr });
      // The gateway's drawing of that code (test/ui/whatsapp-login.test.ts decodes it).
      await page.waitForSelector(
        `#setup-whatsapp img.qr[data-qr="${qr}"][src^="data:image/svg+xml;base64,"]`,
      );
      // One login on the card at a time: the card's own is hidden while setup runs.
      expect(await page.$$("#whatsapp-login")).toHaveLength(1);
      await screenshot(page, "channel-setup-whatsapp");

      const reconnected = sockets.next();
      socket.emit("creds.update", { me: { id: "15550001111:3@s.whatsapp.net" } });
      socket.close(515);
      (await reconnected).emit("connection.update", { connection: "open" });
      await page.waitForSelector("#setup-whatsapp .banner.ok >> text=Linked");
      await page.waitForSelector('article[data-channel="whatsapp"] .dot.ok');
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
