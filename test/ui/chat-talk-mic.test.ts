/**
 * Talk's microphone choice in Chromium with its fake media devices: the caret lists
 * "System default" and every audio input; the choice is kept in this browser
 * (localStorage) and reaches getUserMedia as `{ deviceId: { exact } }`; a chosen
 * microphone that is gone stops the start with an error (no provider session is minted,
 * no other microphone opens) until "Use System default for this call" is clicked, which
 * leaves the saved choice as it was. Keyboard and a 390×844 phone work too: there Talk and
 * the caret are one button (its menu starts Talk), so the model picker keeps its name readable.
 */
import type { Browser, Page } from "playwright-core";
import { afterEach, describe, expect, it } from "vitest";
import { type FakeRealtime, realtimeTalkConfig, startFakeRealtime } from "../fakes/openai-realtime.js";
import {
  connectWithToken,
  FAKE_MICROPHONE,
  openPage,
  SCREENSHOT_DIR,
  screenshot,
  type UiGateway,
  useUiFixture,
} from "./harness.js";

const MIC_KEY = "openclaw.controlUi.talkMicrophone";
/** Characters of the default model's name a 390 px phone's picker shows at least ("claude-son…"). */
const MODEL_CHARS = 10;

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

const fixture = useUiFixture(
  (realtime: FakeRealtime) => realtimeTalkConfig(realtime, "sk-talk-mic-0123456789"),
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
    // Talk itself first, then System default, then the inputs.
    await page.waitForSelector(".talk-mic [role=menuitemradio]:nth-child(3)");
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

  it("works from the keyboard and on a 390×844 phone with 44 px targets: one Talk button whose menu starts Talk", async () => {
    const { browser, gateway, fake: realtime } = await fixture();
    const { page } = await openChat(browser, gateway, {
      viewport: { width: 390, height: 844 },
      mobile: true,
    });
    // A phone's bar has one Talk button (the caret, with the waveform): Talk's own is not laid out.
    expect(await page.isVisible("#chat-talk")).toBe(false);
    const caret = page.locator(".talk-mic button[aria-haspopup]");
    expect(await caret.getAttribute("aria-label")).toBe("Microphone for Talk");
    await caret.focus();
    await page.keyboard.press("Enter");
    await page.waitForSelector(".talk-mic [role=menu]");
    // The first item (start Talk) has focus; the arrows move; Esc closes and gives focus back.
    expect(await page.evaluate("document.activeElement.textContent")).toBe(
      "Talk (realtime voice conversation)",
    );
    await page.keyboard.press("ArrowDown");
    expect(await page.evaluate("document.activeElement.textContent")).toBe("System default");
    for (const target of [caret, ...(await page.locator(".talk-mic [role^=menuitem]").all())]) {
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

    // The menu's first item starts Talk, with the microphone chosen (here the system's default).
    await caret.click();
    await page.click(".talk-mic [role=menuitem]");
    const peer = await realtime.nextPeer();
    await peer.opened;
    await page.waitForSelector('#chat-talk-stop[data-state="listening"]');
    expect((await asked(page)).at(-1)).toEqual({ audio: true });
    await page.click("#chat-talk-stop");
    await page.waitForSelector(".talk-mic [role=menu]", { state: "detached" });
  }, 90_000);

  it("on a 390×844 phone the composer's bar shows the model's name, every control 44 px", async () => {
    const { browser, gateway } = await fixture();
    const { page } = await openChat(browser, gateway, {
      viewport: { width: 390, height: 844 },
      mobile: true,
    });
    // Polled from outside the page: waitForFunction compiles its string in the page, which the CSP refuses.
    await expect
      .poll(() => page.evaluate(`document.querySelector("#chat-model").selectedOptions[0]?.text ?? ""`))
      .toContain("claude");
    // What the picker shows: the chosen option's text cut (with "…") to its content box, in its font.
    const shown = (await page.evaluate(`(() => {
      const select = document.querySelector("#chat-model");
      const css = getComputedStyle(select);
      const room = select.clientWidth - parseFloat(css.paddingLeft) - parseFloat(css.paddingRight);
      const ctx = document.createElement("canvas").getContext("2d");
      ctx.font = css.font;
      const text = select.selectedOptions[0].text;
      let n = text.length;
      while (n > 0 && ctx.measureText(text.slice(0, n) + (n < text.length ? "…" : "")).width > room) n--;
      return text.slice(0, n);
    })()`)) as string;
    expect("claude-sonnet-4-5 (default)".startsWith(shown)).toBe(true);
    expect(shown.length).toBeGreaterThanOrEqual(MODEL_CHARS);
    const small = await page.$$eval(".composer-bar button, .composer-bar select", (els) =>
      els
        .map((el) => ({ id: el.id || el.className, box: el.getBoundingClientRect() }))
        .filter(({ box }) => box.width > 0 && (box.width < 44 || box.height < 44))
        .map(({ id }) => id),
    );
    expect(small).toEqual([]);
    expect(await page.evaluate("document.documentElement.scrollWidth")).toBeLessThanOrEqual(390);
    await page.locator(".composer").screenshot({ path: `${SCREENSHOT_DIR}/composer-talk-phone.png` });
  }, 90_000);
});
