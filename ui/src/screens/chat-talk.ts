import type { GatewayConnection } from "../gateway.js";

/**
 * Talk mode, loaded on first use: OpenAI Realtime over WebRTC as OpenClaw's browser Talk
 * does it. The microphone opens first, then the gateway mints an ephemeral secret
 * (`talk.client.create`); the SDP offer goes to the `offerUrl` it returns; events arrive
 * on the "oai-events" data channel. The realtime model's consult calls run through the
 * session's agent (`talk.client.toolCall`) and finalized speech is saved to the session.
 */

export type TalkState = "connecting" | "listening" | "asking";

interface Created {
  voiceSessionId: string;
  clientSecret: string;
  offerUrl: string;
}

interface OutputItem {
  type?: string;
  name?: string;
  call_id?: string;
  arguments?: string;
}

const entryId = (id: unknown, role: string) =>
  `${role}-${String(id ?? Math.random()).replace(/[^\w-]/g, "_")}`.slice(0, 128);

export async function startTalk(opts: {
  conn: GatewayConnection;
  sessionKey: string;
  onState: (state: TalkState) => void;
  /** The call ended by itself (the connection failed, the provider said error). */
  onEnd: (error?: string) => void;
}): Promise<() => void> {
  const { conn, sessionKey } = opts;
  opts.onState("connecting");
  const mic = await navigator.mediaDevices.getUserMedia({ audio: true });
  let pc: RTCPeerConnection | undefined;
  let created: Created | undefined;
  let ended = false;
  const audio = new Audio();
  audio.autoplay = true;
  const stop = () => {
    if (ended) return;
    ended = true;
    for (const track of mic.getTracks()) track.stop();
    pc?.close();
    audio.srcObject = null;
    if (created) {
      void conn
        .request("talk.client.close", { sessionKey, voiceSessionId: created.voiceSessionId })
        .catch(() => undefined);
    }
  };
  const fail = (message: string) => {
    if (ended) return;
    stop();
    opts.onEnd(message);
  };
  try {
    created = await conn.request<Created>("talk.client.create", {
      sessionKey,
      provider: "openai",
      transport: "webrtc",
    });
    const call = created;
    pc = new RTCPeerConnection();
    pc.ontrack = (e) => {
      audio.srcObject = e.streams[0] ?? new MediaStream([e.track]);
    };
    pc.onconnectionstatechange = () => {
      if (pc?.connectionState === "failed") fail("realtime connection failed");
    };
    for (const track of mic.getAudioTracks()) pc.addTrack(track, mic);
    const channel = pc.createDataChannel("oai-events");
    const send = (event: unknown) => channel.readyState === "open" && channel.send(JSON.stringify(event));
    const save = (role: string, id: unknown, text: unknown) => {
      if (typeof text !== "string" || !text.trim()) return;
      void conn
        .request("talk.client.transcript", {
          sessionKey,
          voiceSessionId: call.voiceSessionId,
          entryId: entryId(id, role),
          role,
          text,
        })
        .catch(() => undefined);
    };
    const consult = async (item: OutputItem) => {
      opts.onState("asking");
      let output: unknown;
      try {
        const args = JSON.parse(item.arguments || "{}");
        const res = await conn.request<{ text: string }>("talk.client.toolCall", {
          sessionKey,
          voiceSessionId: call.voiceSessionId,
          callId: item.call_id,
          name: item.name,
          args,
        });
        output = { text: res.text };
      } catch (err) {
        output = { error: (err as Error).message };
      }
      if (ended) return;
      send({
        type: "conversation.item.create",
        item: { type: "function_call_output", call_id: item.call_id, output: JSON.stringify(output) },
      });
      send({ type: "response.create" });
      opts.onState("listening");
    };
    channel.onopen = () => opts.onState("listening");
    channel.onmessage = (e) => {
      // biome-ignore lint/suspicious/noExplicitAny: provider events, read defensively below
      let event: Record<string, any>;
      try {
        event = JSON.parse(String(e.data));
      } catch {
        return;
      }
      if (event.type === "conversation.item.input_audio_transcription.completed") {
        save("user", event.item_id, event.transcript);
      } else if (event.type === "response.output_audio_transcript.done") {
        save("assistant", event.item_id, event.transcript);
      } else if (event.type === "response.done") {
        for (const item of (event.response?.output ?? []) as OutputItem[]) {
          if (item.type === "function_call" && item.call_id) void consult(item);
        }
      } else if (event.type === "error") {
        fail(String(event.error?.message ?? "realtime error"));
      }
    };
    const offer = await pc.createOffer();
    await pc.setLocalDescription(offer);
    const res = await fetch(call.offerUrl, {
      method: "POST",
      body: offer.sdp ?? "",
      headers: { authorization: `Bearer ${call.clientSecret}`, "content-type": "application/sdp" },
    });
    if (!res.ok) throw new Error(`realtime setup failed (${res.status})`);
    await pc.setRemoteDescription({ type: "answer", sdp: await res.text() });
  } catch (err) {
    stop();
    throw err;
  }
  return stop;
}
