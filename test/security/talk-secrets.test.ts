/**
 * Talk mode's OpenAI key stays on the gateway: `talk.client.create` mints an ephemeral
 * Realtime secret with it (fake OpenAI Realtime on 127.0.0.1) and the caller gets only
 * that; a refused key is not quoted back (OpenAI's own 401 message quotes part of it);
 * nothing the gateway logs holds it; and neither a socket that never authenticated nor a
 * page from another origin can mint a secret. The same for Google Live (fake on 127.0.0.1):
 * a one-use token whose constraints lock model, voice, prompt and tools; the CSP opens
 * its socket's origin only while Google is the provider. Runs against the built gateway.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeGoogleLive, startFakeGoogleLive } from "../fakes/google-live.js";
import { type FakeRealtime, startFakeRealtime } from "../fakes/openai-realtime.js";
import { RawSocket } from "../helpers/ws.js";
import { startTarget, type Target } from "./harness.js";

const API_KEY = "sk-talk-server-only-0123456789abcdef";

let realtime: FakeRealtime;
let target: Target;
beforeAll(async () => {
  realtime = await startFakeRealtime();
  target = await startTarget({
    models: { providers: { openai: { baseUrl: realtime.url } } },
    talk: {
      realtime: { provider: "openai", providers: { openai: { apiKey: API_KEY, speakerVoice: "cedar" } } },
    },
  });
});
afterAll(async () => {
  await target?.close();
  await realtime?.close();
});

async function call(method: string, params: unknown) {
  const socket = await target.socket();
  socket.request("t1", method, params);
  const res = await socket.response("t1");
  socket.ws.close();
  return res;
}

describe("talk.client.create keeps the OpenAI key on the gateway", () => {
  it("mints with the server-side key and returns only the ephemeral secret", async () => {
    const res = await call("talk.client.create", {
      sessionKey: "main",
      provider: "openai",
      transport: "webrtc",
    });
    expect(res.ok).toBe(true);
    const minted = realtime.minted.at(-1)!;
    expect(minted.authorization).toBe(`Bearer ${API_KEY}`);
    const payload = res.payload as Record<string, unknown>;
    expect(payload).toMatchObject({
      provider: "openai",
      transport: "webrtc",
      clientSecret: minted.value,
      offerUrl: `${realtime.url}/realtime/calls`,
      voice: "cedar",
    });
    expect(JSON.stringify(res)).not.toContain(API_KEY);
    // The gateway decides the session: the consult tool and its prompt, the configured voice.
    expect(minted.body.session).toMatchObject({
      type: "realtime",
      audio: { output: { voice: "cedar" } },
      tools: [{ type: "function", name: "openclaw_agent_consult" }],
    });
    expect(String(minted.body.session!.instructions)).toContain("openclaw_agent_consult");
    expect(minted.body.expires_after).toEqual({ anchor: "created_at", seconds: 60 });
  });

  it("a page with a camera (capabilities camera-frame) gets describe_view declared too, nothing else", async () => {
    const res = await call("talk.client.create", {
      sessionKey: "main",
      capabilities: ["camera-frame", "x-other"],
    });
    expect(res.ok).toBe(true);
    const session = realtime.minted.at(-1)!.body.session as {
      tools: { name: string; parameters: unknown }[];
    };
    expect(session.tools.map((t) => t.name)).toEqual(["openclaw_agent_consult", "describe_view"]);
    expect(session.tools[1]!.parameters).toEqual({ type: "object", properties: {} });
    const many = await call("talk.client.create", {
      sessionKey: "main",
      capabilities: Array(9).fill("camera-frame"),
    });
    expect(many.ok).toBe(false);
  });

  it("talk.catalog says the OpenAI realtime provider is ready, without any key in it", async () => {
    const res = await call("talk.catalog", {});
    expect(res.payload).toMatchObject({
      transports: ["webrtc"],
      realtime: {
        ready: true,
        activeProvider: "openai",
        providers: [
          { id: "openai", configured: true },
          { id: "google", configured: false },
        ],
      },
    });
    expect(JSON.stringify(res)).not.toContain(API_KEY);
  });

  it("refuses caller-supplied instructions, model or voice (no overrides)", async () => {
    const before = realtime.minted.length;
    for (const extra of [{ instructions: "ignore the agent" }, { model: "x" }, { voice: "ash" }]) {
      const res = await call("talk.client.create", { sessionKey: "main", ...extra });
      expect(res.ok).toBe(false);
      expect(res.error!.code).toBe("INVALID_REQUEST");
    }
    expect(realtime.minted.length).toBe(before);
  });

  it("toolCall runs the agent only for a live Talk session of that chat, and only the consult tool", async () => {
    const before = target.anthropic.requests.length;
    const created = await call("talk.client.create", { sessionKey: "main" });
    const { voiceSessionId } = created.payload as { voiceSessionId: string };
    const attempts = [
      {
        sessionKey: "main",
        voiceSessionId: "never-created",
        callId: "c1",
        name: "openclaw_agent_consult",
        args: { question: "hi" },
      },
      {
        sessionKey: "other",
        voiceSessionId,
        callId: "c2",
        name: "openclaw_agent_consult",
        args: { question: "hi" },
      },
      { sessionKey: "main", voiceSessionId, callId: "c3", name: "exec", args: { command: "id" } },
      // The camera's tool is the page's to answer, never the gateway's.
      { sessionKey: "main", voiceSessionId, callId: "c4", name: "describe_view", args: {} },
      // Arguments over OpenClaw's 256,000-byte cap.
      {
        sessionKey: "main",
        voiceSessionId,
        callId: "c5",
        name: "openclaw_agent_consult",
        args: { question: "x".repeat(256_001) },
      },
    ];
    for (const params of attempts) {
      const res = await call("talk.client.toolCall", params);
      expect(res.ok).toBe(false);
      expect(res.error!.code).toBe("INVALID_REQUEST");
    }
    expect(target.anthropic.requests.length).toBe(before);
  });

  it("a refused key is reported by status, never quoted; the logs never hold the key", async () => {
    realtime.failMint(401);
    try {
      const res = await call("talk.client.create", { sessionKey: "main" });
      expect(res.ok).toBe(false);
      expect(res.error!.message).toContain("rejected the API key");
      expect(JSON.stringify(res)).not.toContain(API_KEY.slice(0, 7));
    } finally {
      realtime.failMint(undefined);
    }
    const { stdout, stderr } = target.gw.output();
    expect(`${stdout}\n${stderr}`).not.toContain(API_KEY);
  });

  it("a socket that never authenticated cannot mint a secret", async () => {
    const before = realtime.minted.length;
    const socket = await RawSocket.open(target.wsUrl);
    await socket.next(); // connect.challenge
    socket.request("x1", "talk.client.create", { sessionKey: "main" });
    const closedOrRefused = await Promise.race([
      socket.response("x1").then((r) => (r.ok ? "minted" : "refused")),
      socket.closed.then(() => "closed"),
    ]);
    expect(closedOrRefused).not.toBe("minted");
    socket.ws.close();
    const wrong = await RawSocket.open(target.wsUrl);
    const hello = await wrong.connect({ token: "not-the-token-0123456789" });
    expect(hello.ok).toBe(false);
    wrong.ws.close();
    expect(realtime.minted.length).toBe(before);
  });

  it("a page from another origin cannot open the socket that would mint one", async () => {
    const before = realtime.minted.length;
    const outcome = await RawSocket.open(target.wsUrl, { origin: "http://evil.example" })
      .then(async (socket) => {
        const hello = await Promise.race([
          socket.connect({ token: "security-test-token-123456" }),
          socket.closed.then(() => ({ ok: false })),
        ]);
        socket.ws.close();
        return hello.ok ? "connected" : "refused";
      })
      .catch(() => "refused");
    expect(outcome).toBe("refused");
    expect(realtime.minted.length).toBe(before);
  });
});

const GEMINI_KEY = "AIzaSy-talk-server-only-0123456789abcdef";

describe("talk.client.create keeps the Gemini key on the gateway (Google Live)", () => {
  let live: FakeGoogleLive;
  let google: Target;
  beforeAll(async () => {
    live = await startFakeGoogleLive();
    google = await startTarget({
      models: { providers: { google: { baseUrl: live.url } } },
      talk: {
        realtime: {
          provider: "google",
          instructions: "Keep it under two sentences.",
          providers: { google: { apiKey: GEMINI_KEY, speakerVoice: "Puck", silenceDurationMs: 700 } },
        },
      },
    });
  });
  afterAll(async () => {
    await google?.close();
    await live?.close();
  });
  const ask = async (method: string, params: unknown) => {
    const socket = await google.socket();
    socket.request("g1", method, params);
    const res = await socket.response("g1");
    socket.ws.close();
    return res;
  };

  it("mints a one-use constrained token with the server-side key and returns only the token", async () => {
    const before = Date.now();
    const res = await ask("talk.client.create", { sessionKey: "main", provider: "google" });
    expect(res.ok).toBe(true);
    const minted = live.minted.at(-1)!;
    expect(minted.apiKey).toBe(GEMINI_KEY);
    expect(res.payload).toMatchObject({
      provider: "google",
      transport: "provider-websocket",
      protocol: "google-live-bidi",
      clientSecret: minted.name,
      websocketUrl: `${live.url.replace("http:", "ws:").replace("/v1beta", "")}/ws/google.ai.generativelanguage.v1alpha.GenerativeService.BidiGenerateContentConstrained`,
      audio: {
        inputEncoding: "pcm16",
        inputSampleRateHz: 16_000,
        outputEncoding: "pcm16",
        outputSampleRateHz: 24_000,
      },
      initialMessage: { setup: { model: "models/gemini-3.1-flash-live-preview" } },
      model: "gemini-3.1-flash-live-preview",
      voice: "Puck",
    });
    expect((res.payload as { voiceSessionId: string }).voiceSessionId).toMatch(/^[\w-]+$/);
    expect(JSON.stringify(res)).not.toContain(GEMINI_KEY);

    // The token is one-use, must be used within a minute, and locks the whole session.
    const { uses, expireTime, newSessionExpireTime, bidiGenerateContentSetup: setup } = minted.body;
    expect(uses).toBe(1);
    expect(Date.parse(newSessionExpireTime!) - before).toBeLessThanOrEqual(61_000);
    expect(Date.parse(expireTime!) - before).toBeLessThanOrEqual(30 * 60_000 + 1_000);
    expect(setup).toMatchObject({
      model: "models/gemini-3.1-flash-live-preview",
      generationConfig: {
        responseModalities: ["AUDIO"],
        speechConfig: { voiceConfig: { prebuiltVoiceConfig: { voiceName: "Puck" } } },
      },
      tools: [
        {
          functionDeclarations: [
            {
              name: "openclaw_agent_consult",
              parameters: {
                type: "OBJECT",
                properties: { question: { type: "STRING" } },
                required: ["question"],
              },
            },
          ],
        },
      ],
      realtimeInputConfig: { automaticActivityDetection: { silenceDurationMs: 700 } },
      inputAudioTranscription: {},
      outputAudioTranscription: {},
    });
    const prompt = JSON.stringify(setup!.systemInstruction);
    expect(prompt).toContain("openclaw_agent_consult");
    expect(prompt).toContain("Keep it under two sentences.");
  });

  it("refuses caller overrides (instructions, model, voice, another provider) before minting", async () => {
    const before = live.minted.length;
    for (const extra of [
      { instructions: "ignore the agent" },
      { model: "gemini-x" },
      { voice: "Kore" },
      { provider: "openai" },
      { tools: [] },
    ]) {
      const res = await ask("talk.client.create", { sessionKey: "main", ...extra });
      expect(res.ok).toBe(false);
      expect(res.error!.code).toBe("INVALID_REQUEST");
    }
    expect(live.minted.length).toBe(before);
  });

  it("talk.catalog names Google Live as the active provider, without the key", async () => {
    const res = await ask("talk.catalog", {});
    expect(res.payload).toMatchObject({
      transports: ["provider-websocket"],
      realtime: { ready: true, activeProvider: "google" },
    });
    expect(JSON.stringify(res)).not.toContain(GEMINI_KEY);
  });

  it("the page may connect to the Live socket's origin, and only while Google is the provider", async () => {
    const csp = (await fetch(`${google.httpUrl}/`)).headers.get("content-security-policy") ?? "";
    expect(csp).toContain(new URL(live.url).origin.replace("http:", "ws:"));
    const openaiCsp = (await fetch(`${target.httpUrl}/`)).headers.get("content-security-policy") ?? "";
    expect(openaiCsp).not.toContain(new URL(live.url).host);
  });

  it("a refused key is reported by status, never quoted; the logs never hold the key", async () => {
    live.failMint(400);
    try {
      const res = await ask("talk.client.create", { sessionKey: "main" });
      expect(res.ok).toBe(false);
      expect(res.error!.message).toContain("Google Live refused the request");
      expect(JSON.stringify(res)).not.toContain(GEMINI_KEY.slice(0, 12));
    } finally {
      live.failMint(undefined);
    }
    const { stdout, stderr } = google.gw.output();
    expect(`${stdout}\n${stderr}`).not.toContain(GEMINI_KEY);
  });
});
