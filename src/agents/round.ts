import type {
  AnsweredBy,
  AssistantMessage,
  Failover,
  FailoverRequest,
  FallbackStep,
  StreamError,
  Usage,
} from "../providers/index.js";

/** What one model round produced: the message (partial on failure), who answered, the failure. */
export interface RoundResult {
  message?: AssistantMessage;
  answeredBy?: AnsweredBy;
  failure?: StreamError;
  /** The text streamed in this round. */
  text: string;
  usage: Usage;
}

export const emptyUsage = (): Usage => ({ input: 0, output: 0, cacheRead: 0, cacheWrite: 0 });

export function addUsage(total: Usage, more: Usage): void {
  total.input += more.input;
  total.output += more.output;
  total.cacheRead += more.cacheRead;
  total.cacheWrite += more.cacheWrite;
}

/**
 * Streams one model round through failover, passing text deltas on as they come. A
 * provider failure arrives as the stream's final error event (with the partial
 * message and usage), never as a throw.
 */
export async function streamRound(
  failover: Failover,
  request: FailoverRequest,
  opts: { signal: AbortSignal; onDelta(text: string): void; onFallback?(step: FallbackStep): void },
): Promise<RoundResult> {
  const round: RoundResult = { text: "", usage: emptyUsage() };
  const options = { signal: opts.signal, ...(opts.onFallback ? { onFallback: opts.onFallback } : {}) };
  for await (const event of failover.stream(request, options)) {
    if (event.type === "start") round.answeredBy = event.answeredBy ?? round.answeredBy;
    else if (event.type === "text_delta") {
      round.text += event.delta;
      opts.onDelta(event.delta);
    } else if (event.type === "done") {
      round.message = event.message;
      round.answeredBy = event.answeredBy ?? round.answeredBy;
      addUsage(round.usage, event.usage);
    } else if (event.type === "error") {
      round.failure = event.error;
      round.message = event.partial;
      round.answeredBy = event.answeredBy ?? round.answeredBy;
      addUsage(round.usage, event.usage);
    }
  }
  return round;
}
