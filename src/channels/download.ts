/**
 * Bounded downloads of inbound attachments (audio for transcription): an HTTP URL or a
 * file signal-cli stored, read up to a byte limit and no further.
 */
import { open } from "node:fs/promises";
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

/** Reads a local file, refusing it past `maxBytes` (checked on the open handle, so a swap cannot grow it). */
export async function readFileCapped(file: string, maxBytes: number): Promise<Buffer> {
  const handle = await open(file, "r");
  try {
    const { size } = await handle.stat();
    if (size > maxBytes) throw new AttachmentTooLargeError(maxBytes);
    const buffer = Buffer.alloc(size);
    const { bytesRead } = await handle.read(buffer, 0, size, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
