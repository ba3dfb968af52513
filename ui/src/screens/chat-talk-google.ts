import type { Call } from "./chat-talk.js";
import { pcmAudio } from "./chat-talk-pcm.js";

/**
 * Google Live over its WebSocket, loaded only when the gateway chose Google: the one-use
 * token goes in `access_token` on the constrained socket; the first message is the
 * gateway's `initialMessage` (the token's locked setup wins over it); the microphone is
 * sent as 16 kHz PCM16 (`realtimeInput.audio`), the model's 24 kHz PCM16 is played as it
 * arrives (chat-talk-pcm.ts); camera frames, when the caller turns it on, go as
 * `realtimeInput.video` JPEGs. Tool calls go to the agent and their answers back as `toolResponse`.
 */

interface Transcription {
  text?: string;
  finished?: boolean;
}

export async function googleLive(call: Call): Promise<void> {
  const { created } = call;
  const url = new URL(created.websocketUrl!);
  url.searchParams.set("access_token", created.clientSecret);
  const ws = new WebSocket(url);
  ws.binaryType = "arraybuffer";
  const send = (msg: object) => ws.readyState === WebSocket.OPEN && ws.send(JSON.stringify(msg));
  let ready = false;
  const { play, silence } = pcmAudio(
    call,
    (data, rate) => ready && send({ realtimeInput: { audio: { data, mimeType: `audio/pcm;rate=${rate}` } } }),
  );
  call.onEnd(() => ws.close());
  call.frame = (data) => ready && send({ realtimeInput: { video: { data, mimeType: "image/jpeg" } } });

  // Transcripts arrive in pieces: an utterance is saved when it is finished, when the turn ends or the other side starts.
  const heard = { user: "", assistant: "" };
  let utterance = 0;
  const flush = (role: "user" | "assistant") => {
    if (heard[role].trim()) call.save(role, `${utterance++}`, heard[role].trim());
    heard[role] = "";
  };
  const hear = (role: "user" | "assistant", t: Transcription | undefined) => {
    if (!t) return;
    heard[role] += t.text ?? "";
    if (t.finished) flush(role);
  };

  await new Promise<void>((resolve, reject) => {
    ws.onopen = () => send(created.initialMessage!);
    ws.onclose = (e) => {
      const why = `Google Live closed (${e.code} ${e.reason})`;
      if (ready) call.fail(why);
      else reject(new Error(why));
    };
    ws.onmessage = (e) => {
      // biome-ignore lint/suspicious/noExplicitAny: provider messages, each field checked where read
      let msg: any;
      try {
        msg = JSON.parse(typeof e.data === "string" ? e.data : new TextDecoder().decode(e.data));
      } catch {
        return;
      }
      if (msg.setupComplete && !ready) {
        ready = true;
        call.state("listening");
        resolve();
      }
      const content = msg.serverContent;
      if (content) {
        if (content.interrupted) silence();
        hear("user", content.inputTranscription);
        if (content.outputTranscription || content.modelTurn) flush("user");
        hear("assistant", content.outputTranscription);
        for (const part of content.modelTurn?.parts ?? [])
          if (part.inlineData?.data) play(part.inlineData.data);
        if (content.turnComplete || content.interrupted) flush("assistant");
      }
      for (const fn of msg.toolCall?.functionCalls ?? []) {
        flush("user");
        // describe_view: the frames go as they come; the model only asks whether the camera is on.
        void (
          fn.name === "describe_view"
            ? Promise.resolve(call.cameraState())
            : call.consult(fn.id, fn.name, fn.args ?? {})
        ).then((response) =>
          send({ toolResponse: { functionResponses: [{ id: fn.id, name: fn.name, response }] } }),
        );
      }
    };
  });
}
