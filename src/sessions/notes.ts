/**
 * Transcript entries that are not messages: notes about a turn that a chat shows and the
 * model never sees. They use pi-coding-agent's `custom` entry (`customType` + `data`),
 * which OpenClaw and pi skip when they build a model's context.
 */

/** The turn's model failed before its first word and the failover moved on (OpenClaw's lifecycle `fallback`). */
export const FALLBACK_NOTE = "openclaw-lite.model-fallback";

interface Ref {
  provider: string;
  model: string;
}

/** What a fallback note keeps: the failover's step, errors reduced to what may be shown. */
export interface FallbackNoteData {
  selected: Ref;
  from: Ref;
  to: Ref;
  attempts: { model: Ref; error: { kind: string; message: string; status?: number } }[];
}

export function fallbackNote(step: FallbackNoteData): {
  type: "custom";
  customType: string;
  data: FallbackNoteData;
} {
  const ref = ({ provider, model }: Ref) => ({ provider, model });
  return {
    type: "custom",
    customType: FALLBACK_NOTE,
    data: {
      selected: ref(step.selected),
      from: ref(step.from),
      to: ref(step.to),
      attempts: step.attempts.map(({ model, error }) => ({
        model: ref(model),
        error: {
          kind: error.kind,
          message: error.message,
          ...(error.status ? { status: error.status } : {}),
        },
      })),
    },
  };
}

/** The fallback note's data, when `line` is one. */
export function fallbackNoteOf(line: {
  type: string;
  customType?: unknown;
  data?: unknown;
}): FallbackNoteData | undefined {
  return line.type === "custom" && line.customType === FALLBACK_NOTE
    ? (line.data as FallbackNoteData)
    : undefined;
}
