import type { GatewayConnection, GatewayError } from "../gateway.js";

/**
 * Talk mode, loaded on first use: one call's life, whichever provider the gateway chose.
 * The microphone opens first, then the gateway mints the provider's short-lived
 * credential (`talk.client.create`) and the transport for that provider carries the
 * audio: OpenAI Realtime over WebRTC here; Google Live over its WebSocket, and OpenAI
 * through the gateway relay (`talk.session.create`, no secret in the page), in one lazy
 * chunk of their own (chat-talk-google.ts, chat-talk-relay.ts). All hand the realtime
 * model's consult calls to the session's agent (`talk.client.toolCall`); finalized speech
 * is saved to the session (by the gateway itself for the relay).
 */

export type TalkState = "connecting" | "listening" | "asking";

/** What `talk.client.create` (or, for the relay, `talk.session.create`) returned: OpenClaw's shapes. */
export interface Created {
  provider: string;
  transport: string;
  voiceSessionId: string;
  relaySessionId?: string;
  clientSecret: string;
  offerUrl?: string;
  websocketUrl?: string;
  initialMessage?: object;
  audio?: { inputSampleRateHz: number; outputSampleRateHz: number };
}

/** One call as a transport sees it: the shared parts it uses, the same for every provider. */
export interface Call {
  conn: GatewayConnection;
  created: Created;
  mic: MediaStream;
  state(state: TalkState): void;
  /** Ends the call with an error shown to the user. */
  fail(message: string): void;
  /** Runs a consult through the agent; resolves with the function's output, `{ text }` or `{ error }`. */
  consult(callId: string, name: string, args: unknown): Promise<{ text?: string; error?: string }>;
  /** Saves one finalized utterance (once per id). */
  save(role: "user" | "assistant", id: string, text: unknown): void;
  /** Runs when the call ends, however it ends (at once if it has). */
  onEnd(cleanup: () => void): void;
  /** Set by a transport whose provider takes camera frames (Google Live): sends one JPEG, base64. */
  frame?(jpeg: string): void;
}

/** A started call: how to stop it, and how to open the camera when its provider takes frames. */
export type Talk = (() => void) & { camera?: () => Promise<MediaStream> };

/**
 * The camera for Video Talk: one JPEG (at most 1280×720) a second to `call.frame`,
 * straight to the provider, never through the gateway; stopping the stream's tracks, or
 * the call ending, ends it.
 */
async function openCamera(call: Call): Promise<MediaStream> {
  // The browser scales the camera down to the bound; frames are taken at the track's size.
  const stream = await navigator.mediaDevices.getUserMedia({
    video: { width: { max: 1280 }, height: { max: 720 } },
  });
  const video = document.createElement("video");
  video.muted = true;
  video.srcObject = stream;
  const canvas = document.createElement("canvas");
  // Each frame a second after the last one was taken: never faster, however late a timer fires.
  const next = () =>
    stream.active &&
    setTimeout(() => {
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      canvas.getContext("2d")?.drawImage(video, 0, 0);
      if (canvas.width && stream.active) call.frame?.(canvas.toDataURL("image/jpeg", 0.8).split(",")[1]!);
      next();
    }, 1000);
  next();
  call.onEnd(() => {
    for (const track of stream.getTracks()) track.stop();
  });
  await video.play();
  return stream;
}

/**
 * The chosen microphone exactly, or the default. A chosen one that is gone or cannot be
 * opened fails as "MicUnavailable" (the page offers the default): never another device.
 */
async function openMicrophone(deviceId: string): Promise<MediaStream> {
  try {
    return await navigator.mediaDevices.getUserMedia({
      audio: deviceId ? { deviceId: { exact: deviceId } } : true,
    });
  } catch (err) {
    const name = (err as Error).name;
    if (deviceId && /^(Overconstrained|NotFound|NotReadable)Error$/.test(name)) {
      throw Object.assign(new Error(name), { name: "MicUnavailable" });
    }
    throw err;
  }
}

export async function startTalk(
  conn: GatewayConnection,
  sessionKey: string,
  /** The microphone chosen in this browser, or "" for the system's default. */
  deviceId: string,
  onState: (state: TalkState) => void,
  /** The call ended by itself (the connection failed, the provider sent an error). */
  onEnd: (error: string) => void,
): Promise<Talk> {
  onState("connecting");
  const mic = await openMicrophone(deviceId);
  let created: Created | undefined;
  let ended = false;
  const cleanups: (() => void)[] = [
    () => {
      for (const track of mic.getTracks()) track.stop();
    },
  ];
  /** A call bound to this voice session. */
  const ask = <T>(method: string, params: object) =>
    conn.request<T>(method, { sessionKey, voiceSessionId: created?.voiceSessionId, ...params });
  const stop = () => {
    if (ended) return;
    ended = true;
    for (const cleanup of cleanups) cleanup();
    if (created) ask("talk.client.close", {}).catch(() => undefined);
  };
  let call: Call;
  try {
    created = await conn.request<Created>("talk.client.create", { sessionKey }).catch(async (err) => {
      // Set up for the gateway relay: OpenClaw's clients then start it with talk.session.create.
      if ((err as GatewayError).details?.code !== "TALK_GATEWAY_RELAY") throw err;
      const relay = await conn.request<Created>("talk.session.create", { sessionKey });
      return { ...relay, voiceSessionId: relay.relaySessionId! };
    });
    call = {
      conn,
      created,
      mic,
      state: (s) => !ended && onState(s),
      fail: (message) => {
        if (!ended) onEnd(message);
        stop();
      },
      async consult(callId, name, args) {
        call.state("asking");
        try {
          return { text: (await ask<{ text: string }>("talk.client.toolCall", { callId, name, args })).text };
        } catch (err) {
          return { error: (err as Error).message };
        } finally {
          call.state("listening");
        }
      },
      save: (role, id, text) =>
        void (
          typeof text === "string" &&
          text.trim() &&
          ask("talk.client.transcript", {
            entryId: `${role}-${id}`.replace(/[^\w-]/g, "_").slice(0, 128),
            role,
            text,
          }).catch(() => undefined)
        ),
      onEnd: (cleanup) => (ended ? cleanup() : cleanups.push(cleanup)),
    };
    // The two raw-PCM transports share their chunk; WebRTC needs none.
    const pcm = created.transport === "gateway-relay" || created.provider === "google";
    const chunk = pcm && (await import("./chat-talk-relay.js"));
    await (!chunk ? webrtc : created.provider === "google" ? chunk.googleLive : chunk.gatewayRelay)(call);
  } catch (err) {
    stop();
    throw err;
  }
  return Object.assign(stop, call.frame && { camera: () => openCamera(call) });
}

interface OutputItem {
  type?: string;
  name?: string;
  call_id?: string;
  arguments?: string;
}

/**
 * OpenAI Realtime over WebRTC: the SDP offer goes to the `offerUrl` with the ephemeral
 * secret; events arrive on the "oai-events" data channel.
 */
async function webrtc(call: Call): Promise<void> {
  const { clientSecret, offerUrl } = call.created;
  const pc = new RTCPeerConnection();
  const audio = new Audio();
  audio.autoplay = true;
  call.onEnd(() => {
    pc.close();
    audio.srcObject = null;
  });
  pc.ontrack = (e) => {
    audio.srcObject = e.streams[0] ?? new MediaStream([e.track]);
  };
  pc.onconnectionstatechange = () => pc.connectionState === "failed" && call.fail("connection failed");
  for (const track of call.mic.getAudioTracks()) pc.addTrack(track, call.mic);
  const channel = pc.createDataChannel("oai-events");
  const send = (event: object) => channel.readyState === "open" && channel.send(JSON.stringify(event));
  const consult = async ({ call_id, name, arguments: args }: OutputItem) => {
    const output = await call.consult(call_id ?? "", name ?? "", JSON.parse(args || "{}"));
    send({
      type: "conversation.item.create",
      item: { type: "function_call_output", call_id, output: JSON.stringify(output) },
    });
    send({ type: "response.create" });
  };
  channel.onopen = () => call.state("listening");
  channel.onmessage = (e) => {
    // biome-ignore lint/suspicious/noExplicitAny: provider events, each field checked where read
    let event: any;
    try {
      event = JSON.parse(e.data);
    } catch {
      return;
    }
    const type = event.type;
    if (type === "conversation.item.input_audio_transcription.completed")
      call.save("user", event.item_id, event.transcript);
    if (type === "response.output_audio_transcript.done")
      call.save("assistant", event.item_id, event.transcript);
    if (type === "error") call.fail(String(event.error?.message));
    if (type === "response.done") {
      for (const item of (event.response?.output ?? []) as OutputItem[]) {
        if (item.type === "function_call" && item.call_id) void consult(item);
      }
    }
  };
  await pc.setLocalDescription();
  const res = await fetch(offerUrl ?? "", {
    method: "POST",
    body: pc.localDescription?.sdp,
    headers: { authorization: `Bearer ${clientSecret}`, "content-type": "application/sdp" },
  });
  if (!res.ok) throw new Error(`realtime setup failed (${res.status})`);
  await pc.setRemoteDescription({ type: "answer", sdp: await res.text() });
}
