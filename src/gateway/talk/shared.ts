/** What every realtime Talk provider shares: the consult tool, the voice prompt, the mint error. */

/** The function the realtime model calls to hand a request to the agent (OpenClaw's name and shape). */
export const CONSULT_TOOL_NAME = "openclaw_agent_consult";
export const CONSULT_TOOL = {
  type: "function",
  name: CONSULT_TOOL_NAME,
  description:
    "Delegate the caller's request to the configured OpenClaw agent for normal tool-backed work, actions, context, memory, or reasoning before speaking.",
  parameters: {
    type: "object",
    properties: {
      question: { type: "string", description: "The concrete question or task the user asked." },
      context: { type: "string", description: "Optional relevant context or transcript summary." },
      responseStyle: { type: "string", description: "Optional style hint for the spoken answer." },
    },
    required: ["question"],
  },
} as const;

/**
 * OpenClaw's camera tool, offered when the browser can answer it (`talk.client.create` with
 * `capabilities: ["camera-frame"]`): the page answers it itself, never the gateway (OpenAI:
 * one bounded JPEG of the camera's current frame on its data channel; Google Live, which
 * gets the frames as they come: whether the camera is on).
 */
export const DESCRIBE_VIEW_TOOL = {
  type: "function",
  name: "describe_view",
  description:
    "Capture the current browser camera frame when the caller asks what is visible or needs visual context.",
  parameters: { type: "object", properties: {} },
} as const;

/** The functions a realtime Talk session declares: the consult, and describe_view for a camera. */
export const talkTools = (camera: boolean | undefined) =>
  camera ? [CONSULT_TOOL, DESCRIBE_VIEW_TOOL] : [CONSULT_TOOL];

/** OpenClaw's direct-tool prompt: the voice layer talks, the agent does the work. */
const BASE_INSTRUCTIONS = [
  "You are the realtime voice surface for the same OpenClaw agent the user can message directly.",
  "Do not mention a backend, supervisor, helper, or separate system. Present the result as your own work.",
  `Delegate substantive requests, actions, tool work, current facts, memory, workspace context, and user-specific context with ${CONSULT_TOOL_NAME}.`,
  "Answer directly only for greetings, acknowledgements, brief latency tests, or filler while waiting.",
  'While waiting for OpenClaw data or tool results, use at most one short natural backchannel such as "yeah", "mm-hmm", "got it", or "one sec"; vary it and do not treat it as the final answer.',
  "After the result arrives, speak it concisely and naturally, without markdown.",
].join("\n\n");

/** The prompt every realtime provider gets: the built-in one, then `talk.realtime.instructions`. */
export function voiceInstructions(extra: string | undefined): string {
  const more = extra?.trim();
  return more ? `${BASE_INSTRUCTIONS}\n\n${more}` : BASE_INSTRUCTIONS;
}

/** The upstream refused or failed; the message names the status, never the key or OpenAI's text (which can quote it). */
export class RealtimeMintError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "RealtimeMintError";
  }
}
