import type { Call } from "./chat-talk.js";

/**
 * Google Live over its WebSocket, loaded only when the gateway chose Google: the one-use
 * token goes in `access_token` on the constrained socket; the first message is the
 * gateway's `initialMessage` (the token's locked setup wins over it); the microphone is
 * sent as 16 kHz PCM16 (`realtimeInput.audio`), the model's 24 kHz PCM16 is played as it
 * arrives. Tool calls go to the agent and their answers back as `toolResponse`.
 */

/** Float samples to PCM16 (little-endian, as every browser's typed arrays are), base64. */
function pcm16(samples: Float32Array): string {
  const pcm = new Int16Array(samples.length);
  for (let i = 0; i < pcm.length; i++) pcm[i] = Math.max(-1, Math.min(1, samples[i]!)) * 0x7fff;
  return btoa(String.fromCharCode(...new Uint8Array(pcm.buffer)));
}

interface Transcription {
  text?: string;
  finished?: boolean;
}

export async function googleLive(call: Call): Promise<void> {
  const { created, mic } = call;
  // The contexts run at the wire's rates: the browser resamples the microphone and the playback.
  const { inputSampleRateHz, outputSampleRateHz } = created.audio!;
  const input = new AudioContext({ sampleRate: inputSampleRateHz });
  const output = new AudioContext({ sampleRate: outputSampleRateHz });
  const url = new URL(created.websocketUrl!);
  url.searchParams.set("access_token", created.clientSecret);
  const ws = new WebSocket(url);
  ws.binaryType = "arraybuffer";
  const send = (msg: object) => ws.readyState === WebSocket.OPEN && ws.send(JSON.stringify(msg));

  // The microphone: a ScriptProcessor (an AudioWorklet would need a module the CSP allows; this needs none).
  const source = input.createMediaStreamSource(mic);
  // It must reach a destination to run; it writes nothing to its output, so nothing is heard.
  const tap = input.createScriptProcessor(4096, 1, 1);
  let ready = false;
  tap.onaudioprocess = (e) =>
    ready &&
    send({
      realtimeInput: {
        audio: {
          data: pcm16(e.inputBuffer.getChannelData(0)),
          mimeType: `audio/pcm;rate=${input.sampleRate}`,
        },
      },
    });
  source.connect(tap).connect(input.destination);

  // The model's speech, queued back to back; an interruption (the caller spoke) drops what is queued.
  let playAt = 0;
  const playing = new Set<AudioBufferSourceNode>();
  const play = (base64: string) => {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const pcm = new Int16Array(bytes.buffer, 0, bytes.length >> 1);
    const buffer = output.createBuffer(1, pcm.length, output.sampleRate);
    buffer.getChannelData(0).set(Float32Array.from(pcm, (v) => v / 0x8000));
    const node = output.createBufferSource();
    node.buffer = buffer;
    node.connect(output.destination);
    playAt = Math.max(playAt, output.currentTime);
    node.start(playAt);
    playAt += buffer.duration;
    playing.add(node);
    node.onended = () => playing.delete(node);
  };
  const silence = () => {
    for (const node of playing) node.stop();
    playAt = 0;
  };

  call.onEnd(() => {
    tap.onaudioprocess = null;
    ws.close();
    void input.close();
    void output.close();
  });

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
        void call
          .consult(fn.id, fn.name, fn.args ?? {})
          .then((response) =>
            send({ toolResponse: { functionResponses: [{ id: fn.id, name: fn.name, response }] } }),
          );
      }
    };
  });
}
