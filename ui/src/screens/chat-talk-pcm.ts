import type { Call } from "./chat-talk.js";

/**
 * A call's audio as PCM16 at the wire's rates, for the transports that carry raw audio
 * (Google Live's socket, the gateway relay): the microphone in 4096-sample chunks,
 * base64, to `send`; the model's speech played as it arrives, back to back.
 */

/** Float samples to PCM16 (little-endian, as every browser's typed arrays are), base64. */
function pcm16(samples: Float32Array): string {
  const pcm = new Int16Array(samples.length);
  for (let i = 0; i < pcm.length; i++) pcm[i] = Math.max(-1, Math.min(1, samples[i]!)) * 0x7fff;
  return btoa(String.fromCharCode(...new Uint8Array(pcm.buffer)));
}

export function pcmAudio(call: Call, send: (base64: string, rate: number) => void) {
  // The contexts run at the wire's rates: the browser resamples the microphone and the playback.
  const { inputSampleRateHz, outputSampleRateHz } = call.created.audio!;
  const input = new AudioContext({ sampleRate: inputSampleRateHz });
  const output = new AudioContext({ sampleRate: outputSampleRateHz });
  // A ScriptProcessor (an AudioWorklet would need a module the CSP allows; this needs none).
  const source = input.createMediaStreamSource(call.mic);
  // It must reach a destination to run; it writes nothing to its output, so nothing is heard.
  const tap = input.createScriptProcessor(4096, 1, 1);
  tap.onaudioprocess = (e) => send(pcm16(e.inputBuffer.getChannelData(0)), input.sampleRate);
  source.connect(tap).connect(input.destination);
  call.onEnd(() => {
    tap.onaudioprocess = null;
    void input.close();
    void output.close();
  });

  let playAt = 0;
  const playing = new Set<AudioBufferSourceNode>();
  return {
    play(base64: string) {
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
    },
    /** The caller interrupted: what is queued is dropped. */
    silence() {
      for (const node of playing) node.stop();
      playAt = 0;
    },
  };
}
