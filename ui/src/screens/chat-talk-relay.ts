import type { Call } from "./chat-talk.js";
import { pcmAudio } from "./chat-talk-pcm.js";

/** Both PCM transports are one lazy chunk (each alone would repeat the chunk's overhead). */
export { googleLive } from "./chat-talk-google.js";

/**
 * OpenAI Realtime through the gateway relay, loaded only when the gateway is set up for
 * it (`talk.realtime.transport: "gateway-relay"`): no provider secret reaches the page.
 * The microphone goes up as 24 kHz PCM16 with `talk.session.appendAudio`; the model's
 * audio, barge-ins, tool calls and end come back as `talk.event` events for this call.
 * The gateway saves the speech itself; a consult goes to the agent (`talk.client.toolCall`)
 * and its output back with `talk.session.submitToolResult`.
 */
export async function gatewayRelay(call: Call): Promise<void> {
  const { conn, created } = call;
  const ask = (method: string, params: object) =>
    conn.request(`talk.session.${method}`, { sessionId: created.relaySessionId, ...params });
  const { play, silence } = pcmAudio(call, (audioBase64) =>
    ask("appendAudio", { audioBase64 }).catch((err) => call.fail((err as Error).message)),
  );
  let why = "";
  call.onEnd(
    conn.on(({ event, payload }) => {
      // biome-ignore lint/suspicious/noExplicitAny: relay events, each field checked where read
      const e = payload as any;
      if (event !== "talk.event" || e.relaySessionId !== created.relaySessionId) return;
      if (e.type === "audio") play(e.audioBase64);
      if (e.type === "clear") silence();
      if (e.type === "error") why = e.message;
      // Our own stop unsubscribes first: a close seen here came from the other side.
      if (e.type === "close") call.fail(why || e.reason);
      if (e.type === "toolCall") {
        void call
          .consult(e.callId, e.name, e.args)
          .then((result) => ask("submitToolResult", { callId: e.callId, result }))
          .catch(() => undefined);
      }
    }),
  );
  call.onEnd(() => void ask("close", {}).catch(() => undefined));
  call.state("listening");
}
