import { generate } from "lean-qr";
import { toSvgDataURL } from "lean-qr/extras/svg";
import type { ChannelLoginUpdate } from "../../channels/types.js";

/** The blank margin scanners need around a QR code, in modules (ISO 18004 asks for 4). */
const QUIET_ZONE = 4;

/**
 * `text` as a QR code in an SVG image data URL: black on white whatever the page's colour
 * scheme, with its quiet zone, one SVG unit per module (the page scales it up sharp).
 */
export function qrSvgDataUrl(text: string): string {
  return toSvgDataURL(generate(text), { on: "#000", off: "#fff", pad: QUIET_ZONE });
}

// The QR texts behind the images recently answered, so that OpenClaw's clients, which wait
// with `currentQrDataUrl` (the image they show) rather than our `after` (its text), are
// answered at the next rotation. WhatsApp rotates a handful of codes per login.
const shown = new Map<string, string>();
const SHOWN_MAX = 16;

/**
 * A login update as `web.login.*` answer it: OpenClaw's `qrDataUrl` (an image to put in an
 * `<img>`) beside our `qr` (its text, for terminals and for `after`).
 */
export function withQrImage(update: ChannelLoginUpdate): ChannelLoginUpdate & { qrDataUrl?: string } {
  if (!update.qr) return update;
  const qrDataUrl = qrSvgDataUrl(update.qr);
  shown.delete(qrDataUrl);
  shown.set(qrDataUrl, update.qr);
  if (shown.size > SHOWN_MAX) shown.delete(shown.keys().next().value as string);
  return { ...update, qrDataUrl };
}

/** The QR text of an image `withQrImage` answered, if it was one of the recent ones. */
export const qrTextOf = (dataUrl: string): string | undefined => shown.get(dataUrl);
