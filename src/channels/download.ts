/**
 * Bounded downloads of inbound attachments (audio for transcription): an HTTP URL read up
 * to a byte limit and no further. (Signal's files come over signal-cli's JSON-RPC.)
 */
import { AttachmentTooLargeError } from "./types.js";

/** GET `url` into memory; AttachmentTooLargeError once more than `maxBytes` arrive (or are announced). */
export async function fetchCapped(url: string, maxBytes: number, signal: AbortSignal): Promise<Buffer> {
  const res = await fetch(url, { signal });
  if (!res.ok) {
    await res.body?.cancel();
    throw new Error(`download failed: HTTP ${res.status}`);
  }
  const announced = Number(res.headers.get("content-length") ?? 0);
  if (announced > maxBytes) {
    await res.body?.cancel();
    throw new AttachmentTooLargeError(maxBytes);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = res.body?.getReader();
  for (;;) {
    const next = await reader?.read();
    if (!next || next.done) break;
    size += next.value.length;
    if (size > maxBytes) {
      await reader?.cancel();
      throw new AttachmentTooLargeError(maxBytes);
    }
    chunks.push(next.value);
  }
  return Buffer.concat(chunks);
}
