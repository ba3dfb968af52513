/**
 * The items of one session's menu, shared by every session menu (the chat sidebar's rows,
 * the Sessions screen's rows, the chat header's "⋯"), in OpenClaw's order: the routine
 * actions first, Delete last. Each place gives the handlers of the actions it offers.
 */
import type { MenuItem } from "../components/row-menu.js";
import type { MessageKey, Translate } from "../i18n/index.js";
import type { Row } from "./sessions-drawer.js";

export type SessionAction = "pin" | "rename" | "unread" | "archive" | "group" | "reset" | "delete";

/** The menu of `row`: an action is offered where its handler is given (and the row allows it: an archived session has no Pin, a main session no Archive). */
export function sessionItems(
  row: Pick<Row, "pinned" | "unread" | "archived" | "isMain">,
  t: Translate,
  on: { [A in SessionAction]?: (() => void) | undefined },
): MenuItem[] {
  const labels: [SessionAction, MessageKey | false | undefined][] = [
    ["pin", !row.archived && (row.pinned ? "sessions.unpin" : "sessions.pin")],
    ["rename", "sessions.rename"],
    ["unread", row.unread ? "sessions.markRead" : "sessions.markUnread"],
    ["archive", !row.isMain && (row.archived ? "sessions.restore" : "sessions.archive")],
    ["group", "groups.move"],
    ["reset", "sessions.reset"],
    ["delete", "sessions.delete"],
  ];
  return labels.flatMap(([action, label]) => {
    const run = on[action];
    return run && label ? [{ label: t(label), run, danger: action === "delete" }] : [];
  });
}
