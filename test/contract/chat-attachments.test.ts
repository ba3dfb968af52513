/**
 * `chat.send` with OpenClaw's attachment shape: an image reaches the model as image
 * content, a text file as a `<file>` block, a voice recording as its transcript (the
 * fake OpenAI transcribes), any other file (a PDF) kept in the agent's workspace and
 * named in a `[media attached: …]` note; bad files are refused with a sentence naming them. And `sessions.patch { model }` picks the model of the next turn.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_ATTACHMENT_BYTES } from "../../src/gateway/chat-attachments.js";
import { startFakeAnthropic } from "../fakes/anthropic.js";
import { startFakeOpenAI } from "../fakes/openai.js";
import type { FakeServer } from "../fakes/server.js";
import { baseConfig } from "../helpers/config.js";
import { type InProcessGateway, startInProcessGateway } from "../helpers/in-process-gateway.js";
import { RawSocket } from "../helpers/ws.js";

const TOKEN = "attachments-token-0123456789";
/** A 1×1 PNG. */
const PNG =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";
/** 2 KB of "recording": the fake cannot hear, it names what it received. */
// 2 KiB that start as a WebM file does (EBML magic): the fake OpenAI, like the real one, sniffs the bytes.
const AUDIO = Buffer.concat([Buffer.from([0x1a, 0x45, 0xdf, 0xa3]), Buffer.alloc(2044, 7)]).toString(
  "base64",
);

let anthropic: FakeServer;
let openai: FakeServer;
let withVoice: InProcessGateway;
let withoutVoice: InProcessGateway;
let small: InProcessGateway;
const sockets: RawSocket[] = [];

beforeAll(async () => {
  [anthropic, openai] = await Promise.all([startFakeAnthropic(), startFakeOpenAI()]);
  anthropic.setDefault({ text: "seen" });
  const anthropicOnly = { anthropic: { baseUrl: anthropic.url, apiKey: "sk-ant-attachments" } };
  [withVoice, withoutVoice, small] = await Promise.all([
    startInProcessGateway({
      token: TOKEN,
      config: baseConfig(anthropic.url, {
        models: {
          providers: {
            ...anthropicOnly,
            openai: { baseUrl: `${openai.url}/v1`, apiKey: "sk-openai-transcription" },
          },
        },
      }),
    }),
    startInProcessGateway({
      token: TOKEN,
      config: baseConfig(anthropic.url, { models: { providers: anthropicOnly } }),
    }),
    startInProcessGateway({
      token: TOKEN,
      config: baseConfig(anthropic.url, {
        models: { providers: anthropicOnly },
        agents: { defaults: { mediaMaxMb: 1 } },
      }),
    }),
  ]);
});

afterAll(async () => {
  for (const s of sockets) s.ws.close();
  await Promise.all([withVoice?.close(), withoutVoice?.close(), small?.close()]);
  await Promise.all([anthropic?.close(), openai?.close()]);
});

let nextId = 0;
async function client(gateway: InProcessGateway) {
  const socket = await RawSocket.open(gateway.url.replace(/^http/, "ws"));
  sockets.push(socket);
  expect((await socket.connect({ token: TOKEN })).ok).toBe(true);
  return async (method: string, params: unknown) => {
    const id = `r${nextId++}`;
    socket.request(id, method, params);
    return socket.response(id);
  };
}

/** Sends and returns the model request it caused, and that request's last message. */
async function sendAndCapture(call: Awaited<ReturnType<typeof client>>, params: Record<string, unknown>) {
  const request = anthropic.nextRequest();
  const res = await call("chat.send", {
    sessionKey: "agent:main:attach",
    idempotencyKey: `k${nextId++}`,
    ...params,
  });
  expect(res.error).toBeUndefined();
  const body = (await request).body as { messages: { role: string; content: unknown }[]; model: string };
  return { body, last: body.messages.at(-1)! };
}

describe("chat.send attachments (OpenClaw's shape)", () => {
  it("an image, sent as a data URL without a mimeType, reaches the model as image content", async () => {
    const call = await client(withVoice);
    const { last } = await sendAndCapture(call, {
      message: "what is this?",
      attachments: [{ type: "image", fileName: "dot.png", content: `data:image/png;base64,${PNG}` }],
    });
    expect(last.content).toEqual(
      expect.arrayContaining([
        { type: "image", source: { type: "base64", media_type: "image/png", data: PNG } },
        expect.objectContaining({ type: "text", text: "what is this?" }),
      ]),
    );
  });

  it("a text file is added to the message as a <file> block the model reads", async () => {
    const call = await client(withVoice);
    const { last } = await sendAndCapture(call, {
      message: "summarise",
      attachments: [
        {
          type: "file",
          fileName: "notes.md",
          mimeType: "",
          content: Buffer.from("# Plan\n- ship it").toString("base64"),
        },
        // A name cannot close the tag or open another: its markup characters become "_".
        {
          fileName: 'x"></file><file name="y.txt',
          mimeType: "text/plain",
          content: Buffer.from("b").toString("base64"),
        },
      ],
    });
    const text = JSON.stringify(last.content);
    expect(text).toContain('<file name=\\"notes.md\\" type=\\"text/plain\\">\\n# Plan\\n- ship it\\n</file>');
    expect(text).toContain(
      '<file name=\\"x___/file__file name=_y.txt\\" type=\\"text/plain\\">\\nb\\n</file>',
    );
  });

  it("a voice recording (a data URL with codec parameters) is transcribed by the configured provider and the model gets the transcript", async () => {
    const call = await client(withVoice);
    const transcriptions = openai.requests.length;
    const { last } = await sendAndCapture(call, {
      message: "",
      // As a browser's FileReader gives a MediaRecorder blob: a data URL whose type has parameters.
      attachments: [
        { type: "audio", fileName: "voice.webm", content: `data:audio/webm;codecs=opus;base64,${AUDIO}` },
      ],
    });
    expect(openai.requests.length).toBe(transcriptions + 1);
    const text = JSON.stringify(last.content);
    expect(text).toContain("[Audio] The user sent a voice message");
    expect(text).toContain("fake transcript of voice.webm (2048 bytes, audio/webm)");
  });

  it("a PDF and a file without a type are kept in the agent's workspace and the model is told where, in OpenClaw's note", async () => {
    const call = await client(withVoice);
    const pdf = Buffer.from("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << >> endobj\n%%EOF\n", "latin1");
    const blob = Buffer.from([0, 1, 2, 254, 255]);
    const { last } = await sendAndCapture(call, {
      message: "what is in these?",
      attachments: [
        {
          type: "file",
          fileName: "report.pdf",
          mimeType: "application/pdf",
          content: pdf.toString("base64"),
        },
        { fileName: "data", content: `data:;base64,${blob.toString("base64")}` },
      ],
    });
    const text = (last.content as { type: string; text?: string }[]).map((b) => b.text ?? "").join("\n");
    expect(text).toContain("what is in these?\n\n[media attached: 2 files]\n");
    const lines = [
      ...text.matchAll(
        /\[media attached (\d)\/2: (media\/inbound\/[0-9a-f-]{36}\.(\w+)) \(([^)]+)\) "([^"]+)"\]/g,
      ),
    ];
    expect(lines.map((m) => [m[1], m[3], m[4], m[5]])).toEqual([
      ["1", "pdf", "application/pdf", "report.pdf"],
      ["2", "bin", "application/octet-stream", "data"],
    ]);
    const workspace = path.join(withVoice.stateDir, "workspace");
    expect(readFileSync(path.join(workspace, lines[0]![2]!))).toEqual(pdf);
    expect(readFileSync(path.join(workspace, lines[1]![2]!))).toEqual(blob);
  });

  it("agents.defaults.mediaMaxMb caps one file, with a sentence naming the key; nothing is stored", async () => {
    const call = await client(small);
    const before = anthropic.requests.length;
    const res = await call("chat.send", {
      sessionKey: "agent:main:small",
      message: "hi",
      idempotencyKey: `k${nextId++}`,
      attachments: [
        {
          fileName: "big.zip",
          mimeType: "application/zip",
          content: Buffer.alloc(2 * 1024 * 1024).toString("base64"),
        },
      ],
    });
    expect(res.error?.message).toBe("attachment big.zip: 2 MB is over the 1 MB agents.defaults.mediaMaxMb");
    expect(anthropic.requests.length).toBe(before);
    expect(existsSync(path.join(path.join(small.stateDir, "workspace"), "media"))).toBe(false);
    const meta = (await call("chat.metadata", {})).payload as { attachments: { maxFileBytes: number } };
    expect(meta.attachments.maxFileBytes).toBe(1024 * 1024);
  });

  it("chat.metadata says what may be attached and whether voice is transcribed", async () => {
    const on = (await (await client(withVoice))("chat.metadata", {})).payload as Record<string, never>;
    const off = (await (await client(withoutVoice))("chat.metadata", {})).payload as Record<string, never>;
    expect(on.attachments).toMatchObject({ maxBytes: MAX_ATTACHMENT_BYTES, audio: { transcription: true } });
    expect(off.attachments).toMatchObject({
      audio: { transcription: false, reason: expect.stringContaining("OPENAI_API_KEY") },
    });
  });

  it("refuses, with a sentence naming the file, what it cannot use; nothing reaches the model", async () => {
    const call = await client(withoutVoice);
    const before = anthropic.requests.length;
    const refused = async (attachments: unknown[]) => {
      const res = await call("chat.send", {
        sessionKey: "agent:main:refused",
        message: "hi",
        idempotencyKey: `k${nextId++}`,
        attachments,
      });
      expect(res.ok).toBe(false);
      return res.error!.message;
    };
    expect(await refused([{ fileName: "voice.webm", mimeType: "audio/webm", content: AUDIO }])).toMatch(
      /voice\.webm: no transcription provider is set up: set OPENAI_API_KEY or GEMINI_API_KEY/,
    );
    expect(await refused([{ fileName: "x.png", mimeType: "image/png", content: "not base64!" }])).toMatch(
      /x\.png: content is not valid base64/,
    );
    const big = Buffer.alloc(MAX_ATTACHMENT_BYTES / 2 + 1).toString("base64");
    expect(
      await refused([
        { fileName: "a.png", mimeType: "image/png", content: big },
        { fileName: "b.png", mimeType: "image/png", content: big },
      ]),
    ).toMatch(/attachments: 5 MB in all, over the 5 MB one message can carry/);
    expect(anthropic.requests.length).toBe(before);
  });
});

describe("sessions.patch { model } (the chat's model picker)", () => {
  it("sets the model of the session's next turn, refuses an unknown provider, and null goes back to the agent's", async () => {
    const call = await client(withoutVoice);
    const key = "agent:main:picker";
    const patched = await call("sessions.patch", { key, model: "anthropic/claude-opus-4-6" });
    expect(patched.payload).toMatchObject({
      entry: { modelOverride: "anthropic/claude-opus-4-6" },
      resolved: { modelProvider: "anthropic", model: "claude-opus-4-6" },
    });
    const { body } = await sendAndCapture(call, { sessionKey: key, message: "which model?" });
    expect(body.model).toBe("claude-opus-4-6");

    const unknown = await call("sessions.patch", { key, model: "nosuch/model-x" });
    expect(unknown.error?.message).toMatch(/^model: .*nosuch/);

    await call("sessions.patch", { key, model: null });
    const back = await sendAndCapture(call, { sessionKey: key, message: "and now?" });
    expect(back.body.model).toBe("claude-sonnet-4-5");
  });
});
