/**
 * WhatsApp's QR login from the Control UI, end to end but for WhatsApp itself: the
 * gateway runs in this process with the real WhatsApp adapter, whose Baileys socket is
 * the fake one (test/fakes/whatsapp) emitting Baileys' own events; the browser is
 * Chromium on the built UI. The QR codes on screen (images the gateway drew) are decoded
 * back (jsQR) to the exact text the fake socket sent.
 */
import { randomBytes } from "node:crypto";
import path from "node:path";
import jsQRModule from "jsqr";
import type { Browser, Page } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import { createWhatsAppFromConfig } from "../../src/channels/whatsapp/factory.js";
import { hasLinkedSession } from "../../src/channels/whatsapp/index.js";
import { fakeSocketFactory } from "../fakes/whatsapp/socket.js";
import { type InProcessGateway, startInProcessGateway } from "../helpers/in-process-gateway.js";
import { connectWithToken, launchChromium, openPage, screenshot, TOKEN } from "./harness.js";

// jsqr is CommonJS: its function is the module and, again, its `default`.
const jsQR = jsQRModule.default;

let browser: Promise<Browser> | undefined;
const gateways: InProcessGateway[] = [];
afterAll(async () => {
  await Promise.all(gateways.map((g) => g.close()));
  await (await browser?.catch(() => undefined))?.close();
});

/** A gateway with `channels.whatsapp` enabled and not linked yet, on a fake Baileys socket. */
async function whatsappGateway() {
  const sockets = fakeSocketFactory();
  const gateway = await startInProcessGateway({
    token: TOKEN,
    config: { channels: { whatsapp: {} } },
    factories: { whatsapp: (ctx) => createWhatsAppFromConfig(ctx, { makeSocket: sockets.make }) },
  });
  gateways.push(gateway);
  browser ??= launchChromium();
  const { context, page, problems } = await openPage(await browser, gateway.url);
  await connectWithToken(page);
  await page.click("nav a[data-nav=channels]");
  await page.waitForSelector(`${CARD} >> text=WhatsApp is not linked`);
  return { gateway, sockets, context, page, problems };
}

const CARD = 'article[data-channel="whatsapp"]';

/** Shaped like WhatsApp's QR text: `2@<ref>,<noise key>,<identity key>,<adv secret>`. */
function whatsappQrText(): string {
  const b64 = (n: number) => randomBytes(n).toString("base64");
  return [`2@${b64(66)}`, b64(32), b64(32), b64(32)].join(",");
}

const qrShowing = (text: string) => `img.qr[data-qr="${text}"]`;

/**
 * Draws the QR code's image, as the page loaded it, on a canvas in the page and decodes the
 * pixels with jsQR. It must be an image data URL (the page's CSP allows `data:` for images only).
 */
async function decodeQrOnScreen(page: Page): Promise<string | undefined> {
  const px = 300;
  expect(await page.getAttribute("img.qr", "src")).toMatch(/^data:image\/svg\+xml;base64,/);
  // Its accessible name, as the SVG drawn in the page had it.
  expect(await page.getByRole("img", { name: "QR code to link WhatsApp" }).getAttribute("class")).toBe("qr");
  // RGBA as base64: a plain array of numbers is slow to pass back from the page.
  const rgba = (await page.evaluate(`(async () => {
    const img = document.querySelector("img.qr");
    await img.decode();
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = ${px};
    const ctx = canvas.getContext("2d");
    ctx.drawImage(img, 0, 0, ${px}, ${px});
    const bytes = ctx.getImageData(0, 0, ${px}, ${px}).data;
    let binary = "";
    for (let i = 0; i < bytes.length; i += 0x8000) {
      binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    }
    return btoa(binary);
  })()`)) as string;
  return jsQR(new Uint8ClampedArray(Buffer.from(rgba, "base64")), px, px)?.data;
}

describe("Control UI: WhatsApp QR login", () => {
  it("shows each QR code WhatsApp rotates to, then Linked once the phone scanned one", async () => {
    const { gateway, sockets, context, page, problems } = await whatsappGateway();
    try {
      const socketMade = sockets.next();
      await page.click(`${CARD} #whatsapp-link`);
      const socket = await socketMade;
      const first = whatsappQrText();
      socket.emit("connection.update", { qr: first });
      await page.waitForSelector(qrShowing(first));
      expect(await decodeQrOnScreen(page)).toBe(first);
      await page.waitForSelector(`${CARD} >> text=connecting`);
      // No Log out while scanning: it would stop the channel and end the login.
      expect(await page.$(`${CARD} >> text=Log out`)).toBeNull();
      await screenshot(page, "whatsapp-qr");

      const second = whatsappQrText();
      socket.emit("connection.update", { qr: second });
      await page.waitForSelector(qrShowing(second));
      expect(await decodeQrOnScreen(page)).toBe(second);

      // After a scan WhatsApp sends our identity, asks for a fresh connection (515), and that one opens.
      const reconnected = sockets.next();
      socket.emit("creds.update", { me: { id: "15550001111:3@s.whatsapp.net" } });
      socket.close(515);
      (await reconnected).emit("connection.update", { connection: "open" });
      await page.waitForSelector("#whatsapp-login .banner.ok >> text=Linked");
      await page.waitForSelector(`${CARD} .dot.ok`);
      await page.waitForSelector(`${CARD} >> text=Signed in as +15550001111`);
      await page.waitForSelector(`${CARD} >> text=Log out`);
      await page.waitForSelector("img.qr", { state: "detached" });
      expect(await page.$("#whatsapp-link")).toBeNull();
      await screenshot(page, "whatsapp-linked");

      expect(gateway.channels.status().find((c) => c.channel === "whatsapp")).toMatchObject({
        state: "ready",
        connected: true,
      });
      expect(await hasLinkedSession(path.join(gateway.stateDir, "credentials", "whatsapp", "default"))).toBe(
        true,
      );
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it("says so when no QR code was scanned in time; Cancel hides a code and Link shows it again", async () => {
    const { sockets, context, page, problems } = await whatsappGateway();
    try {
      const socketMade = sockets.next();
      await page.click("#whatsapp-link");
      const socket = await socketMade;
      socket.emit("connection.update", { qr: whatsappQrText() });
      await page.waitForSelector("img.qr");
      // WhatsApp stops rotating codes after a few minutes and closes the socket: 408, timed out.
      socket.close(408);
      await page.waitForSelector(
        "#whatsapp-login .banner.error >> text=Linking stopped: the QR code was not scanned in time.",
      );
      await page.waitForSelector("img.qr", { state: "detached" });
      await screenshot(page, "whatsapp-timeout");

      const retried = sockets.next();
      await page.click("#whatsapp-link");
      const retry = await retried;
      const shown = whatsappQrText();
      retry.emit("connection.update", { qr: shown });
      await page.waitForSelector(qrShowing(shown));
      await page.click("#whatsapp-cancel");
      await page.waitForSelector("img.qr", { state: "detached" });
      expect(await page.$("#whatsapp-login .banner")).toBeNull();

      // The gateway's login goes on until WhatsApp gives up; Link shows its current code.
      const rotated = whatsappQrText();
      retry.emit("connection.update", { qr: rotated });
      await page.click("#whatsapp-link");
      await page.waitForSelector(qrShowing(rotated));
      expect(sockets.sockets).toHaveLength(2);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
