/**
 * The chat composer in Chromium against a built gateway: a picked, pasted or dropped
 * image reaches the (fake) model as image content; a file over the gateway's limit is
 * refused before sending; a PDF is kept in the agent's workspace and named to the model; a photo over it is scaled down in the browser first; the model picker changes the model of the next turn; a voice
 * message recorded from Chromium's fake microphone is transcribed (fake OpenAI) and the
 * model gets the transcript; without a transcription provider the page says so.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import type { Page } from "playwright-core";
import { afterEach, describe, expect, it } from "vitest";
import { startFakeOpenAI } from "../fakes/openai.js";
import type { FakeServer } from "../fakes/server.js";
import {
  connectWithToken,
  FAKE_MICROPHONE,
  openPage,
  screenshot,
  startUiGateway,
  type UiGateway,
  useUiFixture,
} from "./harness.js";

/** A 1×1 PNG. */
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
  "base64",
);

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

/** Chromium with a fake microphone (granted without a prompt); a gateway that transcribes with the fake OpenAI. */
const fixture = useUiFixture(
  (openai: FakeServer) => ({
    models: { providers: { openai: { baseUrl: `${openai.url}/v1`, apiKey: "sk-ui-transcription" } } },
  }),
  { chromiumArgs: FAKE_MICROPHONE, fake: startFakeOpenAI },
);

async function openChat(
  gateway: UiGateway,
  opts: Parameters<typeof openPage>[2] = {},
): Promise<{ page: Page; problems: string[] }> {
  const { browser } = await fixture();
  const { context, page, problems } = await openPage(browser, gateway.url, opts);
  closers.push(() => context.close());
  await connectWithToken(page);
  await page.waitForSelector("#chat-input");
  // A fresh session per test, so the model's last request is this test's (on a phone the button is in the drawer).
  if (!opts.mobile) await page.click("#new-session");
  return { page, problems };
}

type ImageBlock = { type: string; source: { media_type: string; data: string } };

/** The last user message the fake Anthropic received, as its content blocks. */
function lastUserContent(gateway: UiGateway): { type: string; text?: string; source?: { data: string } }[] {
  const messages = gateway.anthropic.requests.at(-1)!.body.messages as { role: string; content: unknown }[];
  const content = messages.filter((m) => m.role === "user").at(-1)!.content;
  return typeof content === "string" ? [{ type: "text", text: content }] : (content as never);
}

describe("Control UI: chat composer", () => {
  it("a picked image is shown before sending and reaches the model as image content", async () => {
    const { gateway } = await fixture();
    gateway.anthropic.enqueue({ text: "A single dot." });
    const { page, problems } = await openChat(gateway);
    await page.setInputFiles("#chat-file", { name: "dot.png", mimeType: "image/png", buffer: PNG });
    await page.waitForSelector(".attachment-chip.image img");
    await page.fill("#chat-input", "what is this?");
    await screenshot(page, "chat-composer");
    await page.click("#chat-send");
    await page.waitForSelector(".msg.assistant >> text=A single dot.");
    expect(lastUserContent(gateway)).toContainEqual({
      type: "image",
      source: { type: "base64", media_type: "image/png", data: PNG.toString("base64") },
    });
    // The user's bubble shows the image, and the composer is empty again.
    await page.waitForSelector(".msg.user img.attachment");
    expect(await page.locator(".attachment-chip").count()).toBe(0);
    expect(problems).toEqual([]);
  });

  it("a pasted screenshot and a dropped text file join the message; a removed one does not", async () => {
    const { gateway } = await fixture();
    gateway.anthropic.enqueue({ text: "Got both." });
    const { page } = await openChat(gateway);
    // In the page (a string: the tests are type-checked without the DOM library).
    await page.evaluate(`(() => {
      const files = (name, type, data) => {
        const dt = new DataTransfer();
        dt.items.add(new File([data], name, { type }));
        return dt;
      };
      const png = Uint8Array.from(atob("${PNG.toString("base64")}"), (c) => c.charCodeAt(0));
      const paste = new ClipboardEvent("paste", { clipboardData: files("shot.png", "image/png", png), bubbles: true, cancelable: true });
      document.querySelector("#chat-input").dispatchEvent(paste);
      const messages = document.querySelector("#messages");
      const drop = (dt) => {
        messages.dispatchEvent(new DragEvent("dragover", { dataTransfer: dt, bubbles: true, cancelable: true }));
        messages.dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }));
      };
      drop(files("plan.md", "", "# Plan\\n- ship it"));
      drop(files("unwanted.txt", "text/plain", "not this one"));
    })()`);
    await page.waitForSelector(".attachment-chip >> text=unwanted.txt");
    expect(await page.locator(".attachment-chip").count()).toBe(3);
    await page.click('[aria-label="Remove unwanted.txt"]');
    await page.waitForSelector(".attachment-chip >> text=unwanted.txt", { state: "detached" });
    await page.click("#chat-send");
    await page.waitForSelector(".msg.assistant >> text=Got both.");
    const content = lastUserContent(gateway);
    expect(content.filter((b) => b.type === "image")).toHaveLength(1);
    const text = content.map((b) => b.text ?? "").join("\n");
    expect(text).toContain('<file name="plan.md" type="text/plain">\n# Plan\n- ship it\n</file>');
    expect(text).not.toContain("not this one");
  });

  it("a file over the gateway's limit is refused with the limit, before anything is sent", async () => {
    const { gateway } = await fixture();
    const { page } = await openChat(gateway);
    const before = gateway.anthropic.requests.length;
    await page.setInputFiles("#chat-file", {
      name: "huge.png",
      mimeType: "image/png",
      buffer: Buffer.alloc(6 * 1024 * 1024),
    });
    await page.waitForSelector(
      "#composer-error >> text=huge.png (6.0 MB) is over the limit: 5.0 MB per message.",
    );
    expect(await page.locator(".attachment-chip").count()).toBe(0);
    expect(await page.isDisabled("#chat-send")).toBe(true);
    expect(gateway.anthropic.requests.length).toBe(before);
  });

  it("a picked PDF is shown as a file chip, sent, kept in the workspace, and the model is told where", async () => {
    const { gateway } = await fixture();
    gateway.anthropic.enqueue({ text: "Read it." });
    const { page, problems } = await openChat(gateway);
    const pdf = Buffer.from("%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n");
    await page.setInputFiles("#chat-file", { name: "paper.pdf", mimeType: "application/pdf", buffer: pdf });
    await page.waitForSelector(".attachment-chip.file >> text=paper.pdf");
    await page.click("#chat-send");
    await page.waitForSelector(".msg.assistant >> text=Read it.");
    const text = lastUserContent(gateway)
      .map((b) => b.text ?? "")
      .join("\n");
    const note =
      /\[media attached: (media\/inbound\/[0-9a-f-]{36}\.pdf) \(application\/pdf\) "paper\.pdf"\]/.exec(text);
    expect(note, text).not.toBeNull();
    expect(readFileSync(path.join(gateway.stateDir, "workspace", note![1]!))).toEqual(pdf);
    expect(problems).toEqual([]);
  });

  it("a 4000×3000 photo over the limit is scaled down in the browser and reaches the model as a JPEG under it", async () => {
    const { gateway } = await fixture();
    const { page } = await openChat(gateway);
    // Noise does not compress: a 4000×3000 PNG of it is ~36 MB, seven times the 5 MB a message carries.
    await page.evaluate(`(async () => {
      const canvas = new OffscreenCanvas(4000, 3000);
      const ctx = canvas.getContext("2d");
      const img = ctx.createImageData(4000, 3000);
      const words = new Uint32Array(img.data.buffer);
      let x = 2463534242;
      for (let i = 0; i < words.length; i++) {
        x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
        words[i] = (x | 0xff000000) >>> 0;
      }
      ctx.putImageData(img, 0, 0);
      const png = await canvas.convertToBlob({ type: "image/png" });
      window.__pngSize = png.size;
      const dt = new DataTransfer();
      dt.items.add(new File([png], "camera.png", { type: "image/png" }));
      const input = document.querySelector("#chat-file");
      input.files = dt.files;
      input.dispatchEvent(new Event("change", { bubbles: true }));
    })()`);
    expect(await page.evaluate("window.__pngSize")).toBeGreaterThan(5 * 1024 * 1024);
    await page.waitForSelector(".attachment-chip.image >> text=camera.jpg");
    expect(await page.locator("#composer-error").count()).toBe(0);
    const before = gateway.anthropic.requests.length;
    await page.fill("#chat-input", "a photo");
    await page.click("#chat-send");
    // The answer itself, not the "waiting" bubble shown before the model is asked.
    await page.waitForSelector(".msg.assistant:not(.waiting)");
    // One request: the photo counts as an image's tokens, not its base64 (no compaction, no memory flush).
    expect(gateway.anthropic.requests.length - before).toBe(1);
    const image = lastUserContent(gateway).find((b) => b.type === "image") as unknown as ImageBlock;
    expect(image.source.media_type).toBe("image/jpeg");
    const jpeg = Buffer.from(image.source.data, "base64");
    expect(jpeg.length).toBeLessThan(5 * 1024 * 1024);
    // The JPEG's frame header (SOF0): the long side at most 2048 px, the 4:3 shape kept.
    const sof = jpeg.indexOf(Buffer.from([0xff, 0xc0]));
    const [width, height] = [jpeg.readUInt16BE(sof + 7), jpeg.readUInt16BE(sof + 5)];
    expect(width).toBeLessThanOrEqual(2048);
    expect(width * 3).toBe(height * 4);
  });

  it("the model picker shows the session's model, and a change is the model of the next answer", async () => {
    const { gateway } = await fixture();
    gateway.anthropic.enqueue({ text: "Answered by the other model." });
    const { page } = await openChat(gateway);
    await page.waitForSelector('#chat-model option[value="anthropic/claude-opus-4-6"]', {
      state: "attached",
    });
    // The default's name comes with the history, which may answer after the catalog.
    await expect
      .poll(() => page.locator("#chat-model option").first().textContent())
      .toBe("claude-sonnet-4-5 (default)");
    await page.selectOption("#chat-model", "anthropic/claude-opus-4-6");
    await page.fill("#chat-input", "which model are you?");
    await page.click("#chat-send");
    await page.waitForSelector(".msg.assistant >> text=Answered by the other model.");
    expect(gateway.anthropic.requests.at(-1)!.body.model).toBe("claude-opus-4-6");
    await page.waitForSelector(".msg.assistant .model >> text=anthropic/claude-opus-4-6");
    // The choice belongs to the session: after a reload the picker shows it again.
    const session = await page.getAttribute("#chat-session", "data-key");
    await page.reload();
    await connectWithToken(page);
    await page.waitForSelector("#chat-input");
    await page.click(`.session-row[data-key="${session}"] .session-open`);
    await expect.poll(() => page.inputValue("#chat-model")).toBe("anthropic/claude-opus-4-6");
  });

  it("a voice message from the microphone is transcribed by the gateway and the model gets the transcript", async () => {
    const { gateway, fake: openai } = await fixture();
    gateway.anthropic.enqueue({ text: "I heard you." });
    const { page } = await openChat(gateway);
    const transcriptions = openai.requests.length;
    await page.click("#chat-voice");
    // Chromium's fake microphone plays a tone; two seconds of it is a few KB of Opus.
    await page.waitForSelector("#chat-voice-stop >> text=0:02");
    await page.click("#chat-voice-stop");
    await page.waitForSelector(".attachment-chip.audio");
    await page.click("#chat-send");
    await page.waitForSelector(".msg.assistant >> text=I heard you.");
    expect(openai.requests.length).toBe(transcriptions + 1);
    const text = lastUserContent(gateway)
      .map((b) => b.text ?? "")
      .join("\n");
    expect(text).toContain("[Audio] The user sent a voice message");
    expect(text).toMatch(/fake transcript of voice-\d{6}\.webm \(\d+ bytes, audio\/webm/);
  });

  it("without a transcription provider, the voice button says why instead of recording", async () => {
    const plain = await startUiGateway();
    closers.push(() => plain.close());
    const { page } = await openChat(plain);
    await page.click("#chat-voice");
    await page.waitForSelector(
      "#composer-error >> text=Voice messages cannot be transcribed on this gateway: no transcription provider is set up",
    );
    expect(await page.locator("#chat-voice-stop").count()).toBe(0);
  });

  it("on a 390×844 phone, files with long names wrap inside the composer: no sideways scroll, 44 px controls", async () => {
    const { gateway } = await fixture();
    const { page } = await openChat(gateway, { viewport: { width: 390, height: 844 }, mobile: true });
    await page.setInputFiles("#chat-file", [
      {
        name: "a-very-long-screenshot-name-from-a-phone-camera-2026-12-02.png",
        mimeType: "image/png",
        buffer: PNG,
      },
      {
        name: "meeting-notes-with-a-long-name.md",
        mimeType: "text/markdown",
        buffer: Buffer.from("# Notes"),
      },
    ]);
    await page.waitForSelector(".attachment-chip >> nth=1");
    await page.fill("#chat-input", "two files from a phone");
    expect(await page.$eval("html", (el) => el.scrollWidth - el.clientWidth)).toBe(0);
    expect(await page.$eval(".composer-bar", (el) => el.scrollWidth - el.clientWidth)).toBe(0);
    const small = await page.$$eval("#chat-form button, #chat-form select, #chat-form textarea", (els) =>
      els
        // Not laid out on a phone (the thinking level: no room; /think sets it): not a target.
        .filter((el) => el.getClientRects().length > 0)
        .map((el) => ({ id: el.id || el.className, h: el.getBoundingClientRect().height }))
        .filter((b) => b.h < 44),
    );
    expect(small).toEqual([]);
    await screenshot(page, "phone-composer");
  });
});
