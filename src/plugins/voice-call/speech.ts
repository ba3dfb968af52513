import type { CallAction } from "./providers/types.js";

/** Text for a speech engine: markdown marks, code fences and links reduced to words. */
export function toSpeech(text: string): string {
  return text
    .replace(/```[\s\S]*?```/g, " (code omitted) ")
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/`([^`]*)`/g, "$1")
    .replace(/^\s{0,3}#{1,6}\s+/gm, "")
    .replace(/^\s*[-*+]\s+/gm, "")
    .replace(/(\*\*|__|\*|_|~~)(\S(?:.*?\S)?)\1/g, "$2")
    .replace(/\s+/g, " ")
    .trim();
}

/** The agent's answer as an action: spoken, then listen for the caller. */
export function speakable(text: string): CallAction {
  return { say: toSpeech(text), next: "listen" };
}
