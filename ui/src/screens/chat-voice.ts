import { useEffect, useRef, useState } from "preact/hooks";

/**
 * Longest recording: the gateway transcribes up to ten minutes (channels/audio.ts
 * MAX_AUDIO_SECONDS); at Opus voice rates that is well under the 5 MB a message carries.
 */
export const MAX_RECORDING_MS = 10 * 60 * 1000;

/** Why this page cannot record, or undefined: MediaRecorder and the microphone need a secure page. */
export function recordingBlocker(): "insecure" | "unsupported" | undefined {
  if (!window.isSecureContext) return "insecure";
  if (typeof MediaRecorder === "undefined" || !navigator.mediaDevices?.getUserMedia) return "unsupported";
  return undefined;
}

/**
 * A voice recording with MediaRecorder: `start` asks for the microphone, `stop` hands
 * the recording to `onDone`, `cancel` drops it. `seconds` ticks while recording (for the
 * display only); the microphone is released when recording ends or the screen goes.
 */
export function useRecorder(onDone: (audio: Blob, durationMs: number) => void) {
  const [seconds, setSeconds] = useState<number | undefined>();
  const recorder = useRef<MediaRecorder | undefined>(undefined);
  const keep = useRef(true);
  const done = useRef(onDone);
  done.current = onDone;

  const start = async () => {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    const rec = new MediaRecorder(stream);
    const chunks: Blob[] = [];
    const started = Date.now();
    const ticker = setInterval(() => {
      const ms = Date.now() - started;
      setSeconds(Math.floor(ms / 1000));
      if (ms >= MAX_RECORDING_MS && rec.state === "recording") rec.stop();
    }, 250);
    rec.ondataavailable = (e) => {
      if (e.data.size > 0) chunks.push(e.data);
    };
    rec.onstop = () => {
      clearInterval(ticker);
      for (const track of stream.getTracks()) track.stop();
      recorder.current = undefined;
      setSeconds(undefined);
      if (keep.current)
        done.current(new Blob(chunks, { type: rec.mimeType || "audio/webm" }), Date.now() - started);
    };
    keep.current = true;
    recorder.current = rec;
    rec.start();
    setSeconds(0);
  };
  const finish = (save: boolean) => {
    keep.current = save;
    if (recorder.current?.state === "recording") recorder.current.stop();
  };
  useEffect(() => () => finish(false), []);
  return {
    recording: seconds !== undefined,
    seconds: seconds ?? 0,
    start,
    stop: () => finish(true),
    cancel: () => finish(false),
  };
}
