import { randomBytes } from "node:crypto";
import jsQRModule from "jsqr";
import { describe, expect, it } from "vitest";
import { qrSvgDataUrl, qrTextOf, withQrImage } from "./login-qr.js";

// jsqr is CommonJS: its function is the module and, again, its `default`.
const jsQR = jsQRModule.default;

/** Shaped like WhatsApp's QR text: `2@<ref>,<noise key>,<identity key>,<adv secret>`. */
const whatsappQrText = () =>
  [
    `2@${randomBytes(66).toString("base64")}`,
    ...[1, 2, 3].map(() => randomBytes(32).toString("base64")),
  ].join(",");

const SVG_PREFIX = "data:image/svg+xml;base64,";

/**
 * Rasterises the data URL's SVG as the browser would (a white box, and the dark path's
 * outlines filled even-odd, sampled at each module's centre) and decodes it with jsQR.
 */
function decodeSvgDataUrl(url: string) {
  expect(url.startsWith(SVG_PREFIX)).toBe(true);
  const svg = Buffer.from(url.slice(SVG_PREFIX.length), "base64").toString("utf8");
  const [x0 = 0, y0 = 0, w = 0, h = 0] = (/viewBox="([^"]+)"/.exec(svg)?.[1] ?? "").split(" ").map(Number);
  expect(/<rect [^>]*fill="#fff"/.test(svg)).toBe(true);
  const d = /<path d="([^"]+)" fill="#000"/.exec(svg)?.[1] ?? "";
  const polygons = d
    .split("Z")
    .filter(Boolean)
    .map((sub) =>
      sub
        .replace(/^M/, "")
        .split("L")
        .map((p) => p.split(" ").map(Number) as [number, number]),
    );
  const dark = (x: number, y: number) => {
    let inside = false;
    for (const poly of polygons) {
      for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
        const [xi, yi] = poly[i] as [number, number];
        const [xj, yj] = poly[j] as [number, number];
        if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
      }
    }
    return inside;
  };
  const px = 4;
  const rgba = new Uint8ClampedArray(w * h * px * px * 4).fill(255);
  for (let my = 0; my < h; my++) {
    for (let mx = 0; mx < w; mx++) {
      if (!dark(x0 + mx + 0.5, y0 + my + 0.5)) continue;
      for (let dy = 0; dy < px; dy++) {
        const row = (my * px + dy) * w * px;
        for (let dx = 0; dx < px; dx++) rgba.fill(0, (row + mx * px + dx) * 4, (row + mx * px + dx) * 4 + 3);
      }
    }
  }
  return { x0, y0, w, h, decoded: jsQR(rgba, w * px, h * px) };
}

describe("web.login.* QR images (OpenClaw's qrDataUrl)", () => {
  it("draws the exact text as an SVG QR code with its 4-module quiet zone", () => {
    const text = whatsappQrText();
    const { x0, y0, w, h, decoded } = decodeSvgDataUrl(qrSvgDataUrl(text));
    expect(decoded?.data).toBe(text);
    // A version-v code is 17 + 4v modules a side; the box adds 4 blank modules on each side.
    const modules = 17 + 4 * (decoded?.version ?? 0);
    expect({ x0, y0, w, h }).toEqual({ x0: -4, y0: -4, w: modules + 8, h: modules + 8 });
  });

  it("changes with the text, and adds the image beside the text only when there is a code", () => {
    const [a, b] = [whatsappQrText(), whatsappQrText()];
    const answered = withQrImage({ connected: false, qr: a, message: "scan" });
    expect(answered).toMatchObject({ connected: false, qr: a, message: "scan" });
    expect(answered.qrDataUrl).toBe(qrSvgDataUrl(a));
    expect(qrSvgDataUrl(b)).not.toBe(answered.qrDataUrl);
    expect(decodeSvgDataUrl(qrSvgDataUrl(b)).decoded?.data).toBe(b);
    expect(withQrImage({ connected: true, message: "linked" })).toEqual({
      connected: true,
      message: "linked",
    });
  });

  it("knows the text behind an image it answered (OpenClaw's currentQrDataUrl), and no other", () => {
    const text = whatsappQrText();
    const { qrDataUrl } = withQrImage({ connected: false, qr: text, message: "scan" });
    expect(qrTextOf(qrDataUrl ?? "")).toBe(text);
    expect(qrTextOf(qrSvgDataUrl(whatsappQrText()))).toBeUndefined();
  });
});
