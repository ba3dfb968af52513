/**
 * Talk's microphone choice in Chromium with its fake media devices: the caret lists
 * "System default" and every audio input; the choice is kept in this browser
 * (localStorage) and reaches getUserMedia as `{ deviceId: { exact } }`; a chosen
 * microphone that is gone stops the start with an error (no provider session is minted,
 * no other microphone opens) until "Use System default for this call" is clicked, which
 * leaves the saved choice as it was. Keyboard and a 390×844 phone work too.
 */
import type { Browser, Page } from "playwright-core";
import { afterEach, describe, expect, it } from "vitest";
import { type FakeRealtime, startFakeRealtime } from "../fakes/openai-realtime.js";
import {
  connectWithToken,
  FAKE_MICROPHONE,
  openPage,
  screenshot,
  type UiGateway,
  useUiFixture,
} from "./harness.js";

const MIC_KEY = "openclaw.controlUi.talkMicrophone";

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

const fixture = useUiFixture(
  (realtime: FakeRealtime) => ({
    models: { providers: { openai: { baseUrl: realtime.url } } },
    talk: { realtime: { provider: "openai", providers: { openai: { apiKey: "sk-talk-mic-0123456789" } } } },
  }),
  { chromiumArgs: FAKE_MICROPHONE, fake: startFakeRealtime },
);

/** A chat page whose every getUserMedia call is recorded (its constraints) in `window.asked`. */
async function openChat(
  browser: Browser,
  gateway: UiGateway,
  opts: Parameters<typeof openPage>[2] = {},
): Promise<{ page: Page; problems: string[] }> {
  const { context, page, problems } = await openPage(browser, gateway.url, opts);
  closers.push(() => context.close());
  await context.addInitScript(`{
    const media = navigator.mediaDevices;
    const open = media.getUserMedia.bind(media);
    window.asked = [];
    media.getUserMedia = (constraints) => {
      window.asked.push(JSON.parse(JSON.stringify(constraints ?? null)));
      return open(constraints);
    };
  }`);
  await page.reload();
  await page.waitForSelector("#app[data-rendered]");
  await connectWithToken(page);
  await page.waitForSelector("#chat-input");
  // A fresh chat (on a phone the sessions list, with the button, is behind the menu).
  if (!opts.mobile) await page.click("#new-session");
  return { page, problems };
}

const asked = (page: Page) => page.evaluate("window.asked") as Promise<unknown[]>;
const saved = (page: Page) => page.evaluate((key) => localStorage.getItem(key), MIC_KEY);

describe("Talk's microphone choice", () => {
  it("lists the inputs, keeps the choice in the browser and opens exactly that device", async () => {
    const { browser, gateway, fake: realtime } = await fixture();
    const { page, problems } = await openChat(browser, gateway);

    await page.click(".talk-mic button[aria-haspopup]");
    const items = page.locator(".talk-mic [role=menuitemradio]");
    await page.waitForSelector(".talk-mic [role=menuitemradio]:nth-child(2)");
    expect(await items.first().textContent()).toBe("System default");
    expect(await items.first().getAttribute("aria-checked")).toBe("true");
    const deviceId = await page.evaluate(
      `navigator.mediaDevices.enumerateDevices().then((all) => all.filter((d) => d.kind === "audioinput" && d.deviceId !== "default").at(-1).deviceId)`,
    );
    await items.last().click();
    await page.waitForSelector(".talk-mic [role=menu]", { state: "detached" });
    expect(await saved(page)).toBe(deviceId);

    await page.click("#chat-talk");
    const peer = await realtime.nextPeer();
    await peer.opened;
    await page.waitForSelector('#chat-talk-stop[data-state="listening"]');
    expect((await asked(page)).at(-1)).toEqual({ audio: { deviceId: { exact: deviceId } } });
    await page.click("#chat-talk-stop");
    await page.waitForSelector("#chat-talk");

    // The menu ticks the saved device; choosing System default forgets it.
    await page.click(".talk-mic button[aria-haspopup]");
    expect(await page.locator('.talk-mic [aria-checked="true"]').count()).toBe(1);
    expect(await items.first().getAttribute("aria-checked")).toBe("false");
    await items.first().click();
    expect(await saved(page)).toBeNull();
    expect(problems).toEqual([]);
  }, 90_000);

  it("a chosen microphone that is gone stops Talk with an offer of the default for this call", async () => {
    const { browser, gateway, fake: realtime } = await fixture();
    const { page } = await openChat(browser, gateway);
    await page.evaluate((key) => localStorage.setItem(key, "a-microphone-unplugged-since"), MIC_KEY);
    await page.reload();
    await connectWithToken(page);
    await page.waitForSelector("#chat-input");
    const minted = realtime.minted.length;

    await page.click("#chat-talk");
    const error = await page.waitForSelector("#composer-error");
    expect(await error.textContent()).toContain("not available");
    await page.waitForSelector("#chat-talk");
    // Nothing else was opened, and no provider session was created.
    expect(await asked(page)).toEqual([{ audio: { deviceId: { exact: "a-microphone-unplugged-since" } } }]);
    expect(realtime.minted.length).toBe(minted);

    await page.click("#composer-error-action");
    const peer = await realtime.nextPeer();
    await peer.opened;
    await page.waitForSelector('#chat-talk-stop[data-state="listening"]');
    expect((await asked(page)).at(-1)).toEqual({ audio: true });
    expect(await saved(page)).toBe("a-microphone-unplugged-since");
    expect(await page.$("#composer-error")).toBeNull();
    await page.click("#chat-talk-stop");
  }, 90_000);

  it("works from the keyboard and on a 390×844 phone with 44 px targets", async () => {
    const { browser, gateway } = await fixture();
    const { page } = await openChat(browser, gateway, {
      viewport: { width: 390, height: 844 },
      mobile: true,
    });
    const caret = page.locator(".talk-mic button[aria-haspopup]");
    await caret.focus();
    await page.keyboard.press("Enter");
    await page.waitForSelector(".talk-mic [role=menu]");
    // The first item has focus; the arrows move; Esc closes and gives focus back.
    expect(await page.evaluate("document.activeElement.textContent")).toBe("System default");
    await page.keyboard.press("ArrowDown");
    expect(await page.evaluate("document.activeElement.getAttribute('role')")).toBe("menuitemradio");
    for (const target of [
      caret,
      page.locator("#chat-talk"),
      ...(await page.locator(".talk-mic [role=menuitemradio]").all()),
    ]) {
      const box = (await target.boundingBox())!;
      expect(box.height).toBeGreaterThanOrEqual(44);
      expect(box.width).toBeGreaterThanOrEqual(44);
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(390);
    }
    expect(await page.evaluate("document.documentElement.scrollWidth")).toBeLessThanOrEqual(390);
    await screenshot(page, "talk-microphone-menu-phone");
    await page.keyboard.press("Escape");
    await page.waitForSelector(".talk-mic [role=menu]", { state: "detached" });
    expect(await caret.evaluate((el) => el.ownerDocument.activeElement === el)).toBe(true);
  }, 90_000);
});
