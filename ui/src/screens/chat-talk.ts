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
  /** Set by a transport whose provider takes a stream of camera frames (Google Live): sends one JPEG, base64. */
  frame?(jpeg: string): void;
  /** The camera's picture while it is on (Video Talk); describe_view is answered from it. */
  view?: HTMLVideoElement;
  /** describe_view's answer for a provider that gets the frames as they come (Google Live). */
  cameraState(): object;
}

/** describe_view's answer when there is no camera picture to give (OpenClaw's words). */
const CAMERA_OFF = { ok: false, error: "camera is off" };
/** The camera's picture, or none when it is off (its tracks stopped) or has no frame yet. */
const liveView = (call: Call) =>
  (call.view?.srcObject as MediaStream | undefined)?.active && call.view?.videoWidth ? call.view : undefined;

/** A started call: how to stop it, and how to open the camera (not through the gateway relay). */
export type Talk = (() => void) & { camera?: () => Promise<MediaStream> };

/** The camera's current frame as a JPEG data URL, `scale` of its size. */
function snapshot(video: HTMLVideoElement, scale = 1, quality = 0.8) {
  const canvas = document.createElement("canvas");
  canvas.width = Math.round(video.videoWidth * scale);
  canvas.height = Math.round(video.videoHeight * scale);
  canvas.getContext("2d")?.drawImage(video, 0, 0, canvas.width, canvas.height);
  return canvas.toDataURL("image/jpeg", quality);
}

/**
 * The camera for Video Talk (at most 1280×720), straight to the provider, never through the
 * gateway: one JPEG a second to `call.frame` when the provider streams them, and `call.view`
 * for describe_view; stopping the stream's tracks, or the call ending, ends it.
 */
async function openCamera(call: Call): Promise<MediaStream> {
  // The browser scales the camera down to the bound; frames are taken at the track's size.
  const stream = await navigator.mediaDevices.getUserMedia({
    video: { width: { max: 1280 }, height: { max: 720 } },
  });
  const video = document.createElement("video");
  video.muted = true;
  video.srcObject = stream;
  call.view = video;
  // Each frame a second after the last one was taken: never faster, however late a timer fires.
  const next = () =>
    stream.active &&
    call.frame &&
    setTimeout(() => {
      if (liveView(call) === video) call.frame?.(snapshot(video).split(",")[1]!);
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
    // camera-frame: the session declares describe_view, answered here from the camera (when it is on).
    const asked = { sessionKey, capabilities: ["camera-frame"] };
    created = await conn.request<Created>("talk.client.create", asked).catch(async (err) => {
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
      cameraState: () => (liveView(call) ? { ok: true, cameraStreamActive: true } : CAMERA_OFF),
    };
    // The two raw-PCM transports share their chunk; WebRTC needs none.
    const pcm = created.transport === "gateway-relay" || created.provider === "google";
    const chunk = pcm && (await import("./chat-talk-relay.js"));
    await (!chunk ? webrtc : created.provider === "google" ? chunk.googleLive : chunk.gatewayRelay)(call);
  } catch (err) {
    stop();
    throw err;
  }
  return Object.assign(stop, created.transport !== "gateway-relay" && { camera: () => openCamera(call) });
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
    const output =
      name === "describe_view"
        ? describeView()
        : await call.consult(call_id ?? "", name ?? "", JSON.parse(args || "{}"));
    send({
      type: "conversation.item.create",
      item: { type: "function_call_output", call_id, output: JSON.stringify(output) },
    });
    send({ type: "response.create" });
  };
  /**
   * describe_view (OpenClaw's): the camera's current frame as an image in the conversation,
   * made smaller and rougher until the event fits one data-channel message.
   */
  const describeView = () => {
    const video = liveView(call);
    const max = pc.sctp?.maxMessageSize || 65_536;
    for (let scale = 1, quality = 0.8; video && quality > 0.35; scale *= 0.7, quality -= 0.1) {
      const item = JSON.stringify({
        type: "conversation.item.create",
        item: {
          type: "message",
          role: "user",
          content: [{ type: "input_image", image_url: snapshot(video, scale, quality) }],
        },
      });
      if (item.length <= max) {
        channel.send(item);
        return { ok: true, frameAttached: true };
      }
    }
    return video ? { ok: false, error: "camera frame too large for the connection" } : CAMERA_OFF;
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
