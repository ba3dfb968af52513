/**
 * A fake WhatsApp media host on 127.0.0.1: serves media encrypted as WhatsApp stores it,
 * so the real Baileys downloads and decrypts it. WhatsApp's scheme: a random 32-byte
 * media key, expanded with HKDF-SHA256 (info "WhatsApp <Type> Keys") into IV, cipher key
 * and MAC key; the file is AES-256-CBC of the media followed by the first 10 bytes of an
 * HMAC-SHA256 over IV and ciphertext. Written here from that description, not with
 * Baileys' helpers, so the test checks Baileys against the format rather than itself.
 */
import { createCipheriv, createHash, createHmac, hkdfSync, randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

/** The HKDF info names WhatsApp uses per media kind (the ones a test needs). */
const HKDF_INFO = { audio: "WhatsApp Audio Keys", image: "WhatsApp Image Keys" } as const;

/** The fields WhatsApp puts in an audio/image message for its media. */
export interface UploadedMedia {
  url: string;
  mediaKey: Buffer;
  fileSha256: Buffer;
  fileEncSha256: Buffer;
  fileLength: number;
}

export interface FakeWhatsAppMedia {
  /** Encrypts `data` and serves it; returns the message fields pointing at it. */
  upload(data: Buffer, kind: keyof typeof HKDF_INFO): UploadedMedia;
  /** Paths downloaded, in order. */
  downloads: string[];
  close(): Promise<void>;
}

export async function startFakeWhatsAppMedia(): Promise<FakeWhatsAppMedia> {
  const files = new Map<string, Buffer>();
  const downloads: string[] = [];
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://fake").pathname;
    const file = files.get(path);
    downloads.push(path);
    if (req.method !== "GET" || !file) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": "application/octet-stream", "content-length": file.length });
    res.end(file);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let next = 1;

  return {
    downloads,
    upload(data, kind) {
      const mediaKey = randomBytes(32);
      const keys = Buffer.from(hkdfSync("sha256", mediaKey, Buffer.alloc(0), HKDF_INFO[kind], 112));
      const iv = keys.subarray(0, 16);
      const cipher = createCipheriv("aes-256-cbc", keys.subarray(16, 48), iv);
      const encrypted = Buffer.concat([cipher.update(data), cipher.final()]);
      const mac = createHmac("sha256", keys.subarray(48, 80)).update(iv).update(encrypted).digest();
      const file = Buffer.concat([encrypted, mac.subarray(0, 10)]);
      const path = `/v/t62.7117-24/${next++}.enc`;
      files.set(path, file);
      return {
        url: `${base}${path}`,
        mediaKey,
        fileSha256: createHash("sha256").update(data).digest(),
        fileEncSha256: createHash("sha256").update(file).digest(),
        fileLength: data.length,
      };
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
