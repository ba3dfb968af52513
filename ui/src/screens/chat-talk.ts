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
): Promise<() => void> {
  onState("connecting");
  const mic = await openMicrophone(deviceId);
  let created: Created | undefined;
  let ended = false;
  const pc = new RTCPeerConnection();
  const audio = new Audio();
  audio.autoplay = true;
  /** A call bound to this voice session. */
  const ask = <T>(method: string, params: object) =>
    conn.request<T>(method, { sessionKey, voiceSessionId: created?.voiceSessionId, ...params });
  const stop = () => {
    if (ended) return;
    ended = true;
    for (const track of mic.getTracks()) track.stop();
    pc.close();
    audio.srcObject = null;
    if (created) ask("talk.client.close", {}).catch(() => undefined);
  };
  const fail = (message: string) => {
    if (!ended) onEnd(message);
    stop();
  };
  try {
    created = await conn.request<Created>("talk.client.create", { sessionKey });
    const { clientSecret, offerUrl } = created;
    pc.ontrack = (e) => {
      audio.srcObject = e.streams[0] ?? new MediaStream([e.track]);
    };
    pc.onconnectionstatechange = () => pc.connectionState === "failed" && fail("connection failed");
    for (const track of mic.getAudioTracks()) pc.addTrack(track, mic);
    const channel = pc.createDataChannel("oai-events");
    const send = (event: object) => channel.readyState === "open" && channel.send(JSON.stringify(event));
    const save = (role: string, id: unknown, text: unknown) =>
      typeof text === "string" &&
      text.trim() &&
      ask("talk.client.transcript", {
        entryId: `${role}-${id}`.replace(/[^\w-]/g, "_").slice(0, 128),
        role,
        text,
      }).catch(() => undefined);
    const consult = async ({ call_id, name, arguments: args }: OutputItem) => {
      onState("asking");
      let output: object;
      try {
        output = {
          text: (
            await ask<{ text: string }>("talk.client.toolCall", {
              callId: call_id,
              name,
              args: JSON.parse(args || "{}"),
            })
          ).text,
        };
      } catch (err) {
        output = { error: (err as Error).message };
      }
      send({
        type: "conversation.item.create",
        item: { type: "function_call_output", call_id, output: JSON.stringify(output) },
      });
      send({ type: "response.create" });
      if (!ended) onState("listening");
    };
    channel.onopen = () => onState("listening");
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
        save("user", event.item_id, event.transcript);
      if (type === "response.output_audio_transcript.done")
        save("assistant", event.item_id, event.transcript);
      if (type === "error") fail(String(event.error?.message));
      if (type === "response.done") {
        for (const item of (event.response?.output ?? []) as OutputItem[]) {
          if (item.type === "function_call" && item.call_id) void consult(item);
        }
      }
    };
    await pc.setLocalDescription();
    const res = await fetch(offerUrl, {
      method: "POST",
      body: pc.localDescription?.sdp,
      headers: { authorization: `Bearer ${clientSecret}`, "content-type": "application/sdp" },
    });
    if (!res.ok) throw new Error(`realtime setup failed (${res.status})`);
    await pc.setRemoteDescription({ type: "answer", sdp: await res.text() });
  } catch (err) {
    stop();
    throw err;
  }
  return stop;
}
