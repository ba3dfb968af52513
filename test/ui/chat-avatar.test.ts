/**
 * An agent avatar too large to inline (a 1 MB workspace PNG): `agent.identity.get` hands
 * the Control UI a signed same-origin URL of the gateway's avatar route, and Chromium
 * shows the image beside the assistant's answer under the page's CSP (img-src 'self').
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { crc32, deflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { tempDir } from "../helpers/cli.js";
import { screenshot, sendChat, useChatPages, useUiFixture } from "./harness.js";

/** A real 512×512 RGBA PNG of noise, stored uncompressed: about 1 MB. */
function noisePng(side: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), body.length + 4);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(side, 0);
  header.writeUInt32BE(side, 4);
  header.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA, no interlace
  const rows = Buffer.alloc(side * (side * 4 + 1));
  let seed = 1;
  for (let i = 0; i < rows.length; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    rows[i] = i % (side * 4 + 1) === 0 ? 0 : seed >>> 24;
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(rows, { level: 0 })),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

const workspace = tempDir();
const png = noisePng(512);
mkdirSync(path.join(workspace, "avatars"));
writeFileSync(path.join(workspace, "avatars", "me.png"), png);

const ui = useUiFixture({
  agents: {
    defaults: { workspace },
    list: [{ id: "main", default: true, identity: { name: "Pixel", avatar: "avatars/me.png" } }],
  },
});
const chat = useChatPages(ui);

describe("Control UI: a large avatar image", () => {
  it("shows a 1 MB workspace avatar through the gateway's signed avatar URL", async () => {
    expect(png.length).toBeGreaterThan(1024 * 1024);
    const { gateway } = await ui();
    gateway.anthropic.enqueue({ text: "Hello with a face." });
    const { page, problems } = await chat.open();
    await page.click("#new-session");
    await sendChat(page, "hi");
    const answer = page.locator(".msg.assistant").last();
    await answer.locator("text=Hello with a face.").waitFor();
    const img = answer.locator(".msg-head img.avatar");
    expect(await img.getAttribute("src")).toMatch(/^\/avatar\/main\?v=[\w-]+&exp=\d+&sig=[\w-]+$/);
    // Decoded by the browser: the whole image arrived and is a picture, not a broken icon.
    await expect
      .poll(() =>
        img.evaluate((el: { complete: boolean; naturalWidth: number }) => el.complete && el.naturalWidth),
      )
      .toBe(512);
    await screenshot(page, "chat-avatar-large");
    expect(problems).toEqual([]);
  });
});
