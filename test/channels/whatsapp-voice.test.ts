/**
 * A WhatsApp voice note through the gateway as `openclaw gateway` wires it, in process: the
 * Baileys socket is the fake one (no WhatsApp server can be faked on the network), but the
 * recording is fetched from a fake media host over HTTP and decrypted by the real Baileys,
 * transcribed by the fake OpenAI, and the fake model must see the `[Audio]` block.
 * The message carries `url` and no `directPath`: Baileys then downloads from `url`, where
 * with a `directPath` it would build an https://mmg.whatsapp.net address.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWhatsAppFromConfig } from "../../src/channels/whatsapp/factory.js";
import { startFakeAnthropic } from "../fakes/anthropic.js";
import { startFakeOpenAI } from "../fakes/openai.js";
import type { FakeServer } from "../fakes/server.js";
import { type FakeWhatsAppMedia, startFakeWhatsAppMedia } from "../fakes/whatsapp/media.js";
import { type FakeWaSocket, fakeSocketFactory } from "../fakes/whatsapp/socket.js";
import { tempDir } from "../helpers/cli.js";
import { type InProcessGateway, startInProcessGateway } from "../helpers/in-process-gateway.js";

/** 8 s of Ogg Opus, the container and codec WhatsApp records push-to-talk notes in. */
const VOICE_NOTE = readFileSync(path.resolve(import.meta.dirname, "../fixtures/audio/voice-message.ogg"));
const ME = "15550001111";
const ALICE = "15550002222";

let anthropic: FakeServer;
let openai: FakeServer;
let media: FakeWhatsAppMedia;
let gateway: InProcessGateway;
let socket: FakeWaSocket;

/** A session as Baileys leaves it after the QR was scanned, written by Baileys itself. */
async function linkedAuthDir(): Promise<string> {
  const dir = path.join(tempDir(), "whatsapp-auth");
  const { useMultiFileAuthState } = await import("baileys");
  const { state, saveCreds } = await useMultiFileAuthState(dir);
  state.creds.me = { id: `${ME}:7@s.whatsapp.net`, lid: "99887766@lid", name: "Me" };
  await saveCreds();
  return dir;
}

beforeAll(async () => {
  anthropic = await startFakeAnthropic();
  openai = await startFakeOpenAI();
  media = await startFakeWhatsAppMedia();
  const sockets = fakeSocketFactory();
  // The channel's start waits for the socket to open, and the gateway's start for the channel.
  const opened = sockets.next().then((s) => {
    s.emit("connection.update", { connection: "open" });
    return s;
  });
  gateway = await startInProcessGateway({
    token: "whatsapp-voice-test-token",
    config: {
      agents: { defaults: { model: { primary: "anthropic/claude-sonnet-4-5" } } },
      models: {
        providers: {
          anthropic: { baseUrl: anthropic.url, apiKey: "sk-ant-whatsapp-voice" },
          openai: { baseUrl: `${openai.url}/v1`, apiKey: "sk-whatsapp-voice-transcription" },
        },
      },
      channels: { whatsapp: { authDir: await linkedAuthDir(), allowFrom: [`+${ALICE}`] } },
    },
    factories: { whatsapp: (ctx) => createWhatsAppFromConfig(ctx, { makeSocket: sockets.make }) },
  });
  socket = await opened;
});

afterAll(async () => {
  await gateway?.close();
  await anthropic?.close();
  await openai?.close();
  await media?.close();
});

describe("a WhatsApp voice note", () => {
  it("is downloaded, decrypted by Baileys, transcribed, and reaches the model as an [Audio] block", async () => {
    anthropic.enqueue({ text: "Heard you on WhatsApp." });
    const uploaded = media.upload(VOICE_NOTE, "audio");
    const answer = socket.nextSent(`${ALICE}@s.whatsapp.net`);
    socket.emit("messages.upsert", {
      type: "notify",
      messages: [
        {
          key: { remoteJid: `${ALICE}@s.whatsapp.net`, fromMe: false, id: "VOICE1" },
          pushName: "Alice",
          messageTimestamp: 1_700_000_000,
          message: {
            audioMessage: {
              ...uploaded,
              mimetype: "audio/ogg; codecs=opus",
              ptt: true,
              seconds: 8,
            },
          },
        },
      ],
    });
    expect((await answer).content).toEqual({ text: "Heard you on WhatsApp." });
    expect(media.downloads).toEqual([new URL(uploaded.url).pathname]);
    const seen = JSON.stringify(anthropic.requests.at(-1)!.body.messages);
    expect(seen).toContain("[Audio] The user sent a voice note; this is its automatic transcript");
    // The fake names what it got: the decrypted bytes (the fixture's length), as audio/ogg.
    expect(seen).toContain(`(${VOICE_NOTE.length} bytes, audio/ogg) by gpt-4o-transcribe`);
  });
});
