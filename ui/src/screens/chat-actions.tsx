import { useRef, useState } from "preact/hooks";
import { CopyButton } from "../components/copy.js";
import type { GatewayConnection } from "../gateway.js";
import { useI18n } from "../i18n/index.js";
import type { HistoryMessage, Turn } from "./chat-model.js";

/** Messages searched for a message sent from this page (its transcript id is not known yet). */
const LOOKUP_LIMIT = 200;

/**
 * A turn as the markdown it was written in: the model's text as it came (what Copy
 * gives, so a paste keeps its lists, tables and code), the user's words as typed.
 */
export function markdownOf(turn: Turn): string {
  return turn.parts
    .map((p) => (p.kind === "text" ? p.text : ""))
    .filter(Boolean)
    .join("\n\n");
}

/**
 * The transcript id of a user message, which `sessions.rewind` takes: known for one from
 * `chat.history`; for one sent from this page, found in the history by its run id (or,
 * failing that, the latest user message with its text).
 */
export async function entryIdOf(conn: GatewayConnection, sessionKey: string, turn: Turn): Promise<string> {
  if (turn.entryId) return turn.entryId;
  const { messages } = await conn.request<{ messages: HistoryMessage[] }>("chat.history", {
    sessionKey,
    limit: LOOKUP_LIMIT,
  });
  const users = messages.filter((m) => m.role === "user" && m.id);
  const text = markdownOf(turn);
  const found =
    users.find((m) => turn.runId !== undefined && m.runId === turn.runId) ??
    [...users].reverse().find((m) => (typeof m.content === "string" ? m.content : "") === text);
  if (!found?.id) throw new Error("this message is not in the transcript yet");
  return found.id;
}

export interface TurnActions {
  /** The user's message back into the composer, the conversation rewound to before it. */
  onEdit?(turn: Turn): void;
  /** The answer written again: rewound to before its question, the question sent again. */
  onRegenerate?(turn: Turn): void;
  /** A new session with the conversation before the user's message, the message in its composer. */
  onFork?(turn: Turn): void;
}

/**
 * What can be done with one message: copy it (as markdown), edit and resend it (the
 * user's), have it written again (the latest answer). Shown on hover or keyboard focus
 * where there is a pointer that hovers, always on touch screens.
 */
export function MessageActions({ turn, actions }: { turn: Turn; actions: TurnActions }) {
  const { t } = useI18n();
  const text = markdownOf(turn);
  if (!text && !actions.onEdit && !actions.onRegenerate && !actions.onFork) return null;
  return (
    <div class="msg-actions" role="toolbar" aria-label={t("chat.messageActions")}>
      {text && <CopyButton text={text} label={t("chat.copyMarkdown")} />}
      {actions.onEdit && (
        <button
          type="button"
          class="ghost msg-edit"
          title={t("auto.edit")}
          onClick={() => actions.onEdit?.(turn)}
        >
          {t("auto.edit")}
        </button>
      )}
      {actions.onRegenerate && (
        <button
          type="button"
          class="ghost msg-regenerate"
          title={t("chat.regenerate")}
          onClick={() => actions.onRegenerate?.(turn)}
        >
          {t("chat.regenerate")}
        </button>
      )}
      {actions.onFork && (
        <button
          type="button"
          class="ghost msg-fork"
          title={t("chat.fork")}
          onClick={() => actions.onFork?.(turn)}
        >
          {t("chat.fork")}
        </button>
      )}
    </div>
  );
}

/** A row of `sessions.branches.list` (OpenClaw's shape, plus where it parts from the active branch). */
export interface Branch {
  leafEntryId: string;
  active: boolean;
  divergesAt?: string | null;
  siblingIndex?: number;
}

/**
 * "‹ 2/3 ›" where the conversation has other versions (left by Edit or Regenerate): the
 * other branches parting at this message, in the order they were written, the active
 * one at the place none of them takes; the arrows switch to the one before or after.
 */
export function BranchNav({ alts, go }: { alts: Branch[]; go(leafEntryId: string): void }) {
  const { t } = useI18n();
  let own = 0;
  while (alts.some((b) => b.siblingIndex === own)) own++;
  const near = (d: number) =>
    alts
      .filter((b) => ((b.siblingIndex ?? 0) - own) * d > 0)
      .sort((a, b) => ((a.siblingIndex ?? 0) - (b.siblingIndex ?? 0)) * d)[0]?.leafEntryId;
  const arrow = (d: number, label: string, glyph: string) => {
    const leaf = near(d);
    return (
      <button
        type="button"
        class="ghost"
        aria-label={label}
        disabled={!leaf}
        onClick={() => leaf && go(leaf)}
      >
        {glyph}
      </button>
    );
  };
  return (
    <span class="branch-nav">
      {arrow(-1, t("chat.prevVersion"), "‹")}
      {alts.filter((b) => (b.siblingIndex ?? 0) < own).length + 1}/{alts.length + 1}
      {arrow(1, t("chat.nextVersion"), "›")}
    </span>
  );
}

/**
 * The conversation's other versions (`sessions.branches.list`; a gateway without it has
 * none): `load` reads them for `key`, `nav(messageId)` is the switcher for the message
 * where some part (null: after the last message), and a switch calls `switched`.
 */
export function useVersions(
  conn: GatewayConnection,
  key: string,
  switched: () => void,
  fail: (err: unknown) => void,
) {
  const [branches, setBranches] = useState<Branch[]>([]);
  const keyRef = useRef(key);
  keyRef.current = key;
  const go = (leafEntryId: string) =>
    conn.request("sessions.branches.switch", { sessionKey: key, leafEntryId }).then(switched, fail);
  return {
    load() {
      setBranches([]);
      if (!conn.hello.features?.methods?.includes("sessions.branches.list")) return;
      conn
        .request<{ branches: Branch[] }>("sessions.branches.list", { sessionKey: key })
        .then((res) => keyRef.current === key && setBranches(res.branches), fail);
    },
    nav(at: string | null) {
      const alts = branches.filter((b) => !b.active && b.divergesAt === at);
      return alts.length > 0 ? <BranchNav alts={alts} go={go} /> : undefined;
    },
  };
}
