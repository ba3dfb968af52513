import type { AssistantMessage, Message } from "../providers/index.js";
import type { Transcript } from "../sessions/transcript.js";
import type { TurnEvent } from "./runner.js";
import { type AgentTool, runTool, type ToolContext } from "./tools/index.js";

/** A tool result is shown to listeners (UI, logs) cut to this many characters; the model gets it whole. */
const TOOL_SUMMARY_CHARS = 2000;

type ToolCall = Extract<AssistantMessage["content"][number], { type: "toolCall" }>;

/**
 * Runs a round's tool calls in order: each result is appended to the transcript as it
 * completes (a crash loses at most the call running) and to `messages` for the next round.
 */
export async function runToolCalls(
  calls: readonly ToolCall[],
  deps: {
    tools: readonly AgentTool[];
    context: ToolContext;
    transcript: Transcript;
    messages: Message[];
    onEvent(event: TurnEvent): void;
  },
): Promise<void> {
  for (const call of calls) {
    deps.onEvent({ type: "tool", phase: "start", id: call.id, name: call.name, args: call.arguments });
    const result = await runTool(deps.tools, call.name, call.arguments, deps.context);
    const toolMessage: Message = {
      role: "toolResult",
      toolCallId: call.id,
      toolName: call.name,
      content: result.content,
      ...(result.isError ? { isError: true } : {}),
    };
    await deps.transcript.appendMessage(toolMessage as never);
    deps.messages.push(toolMessage);
    deps.onEvent({
      type: "tool",
      phase: "end",
      id: call.id,
      name: call.name,
      isError: !!result.isError,
      result: result.content
        .map((c) => c.text)
        .join("")
        .slice(0, TOOL_SUMMARY_CHARS),
    });
  }
}
