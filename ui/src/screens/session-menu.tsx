/** The chat header's "⋯": the open session's menu (the same items as a session row's, session-items.ts). */
import { useState } from "preact/hooks";
import { type MenuItem, RowMenu } from "../components/row-menu.js";
import type { GatewayConnection } from "../gateway.js";
import { type MessageKey, useI18n } from "../i18n/index.js";
import { errorText } from "../util.js";
import { sessionItems } from "./session-items.js";
import { titleOf } from "./session-row.js";
import type { Row } from "./sessions-drawer.js";

type MenuRow = Row & { category?: string };

/**
 * The menu as opened for `key`: the session as the gateway has it (a new one, nothing sent
 * yet, as a bare key: renaming, pinning or grouping it creates it).
 */
interface Opened {
  key: string;
  row: MenuRow;
}

export interface SessionMenuProps {
  conn: GatewayConnection;
  sessionKey: string;
  /** Opens another session (the agent's main one, after the open session was deleted or archived). */
  onOpen(key: string): void;
  /** Reads the open session again (it was reset, or it was the main session and deleted): given a counter's bump. */
  onReload(bump: (n: number) => number): void;
  onError(message: string): void;
}

/**
 * The chat header's "⋯": the open session's menu. The session is fetched as the menu opens
 * (`sessions.describe`), so what it offers is the gateway's state, whatever changed since.
 */
export function SessionMenu(props: SessionMenuProps) {
  const { t } = useI18n();
  const { conn, sessionKey: key } = props;
  const [state, setState] = useState<Opened>();
  // An answer for a session left meanwhile opens nothing.
  const menu = state?.key === key ? state : undefined;
  const close = () => setState(undefined);
  const fail = (err: unknown) => props.onError(errorText(err));
  /** Closes the menu and sends the change, then `after`; a failure is shown in the chat. */
  const run = (method: string, params: object, after?: () => void) => {
    close();
    conn.request(method, { key, ...params }).then(after, fail);
  };
  const patch = (fields: object, after?: () => void) => run("sessions.patch", fields, after);
  const reload = () => props.onReload((n) => n + 1);
  // Gone from the list: the chat goes to the agent's main session (OpenClaw's), read afresh (it may be the one deleted).
  const leave = () => {
    props.onOpen(key.replace(/^(agent:[^:]+:).*/, "$1main"));
    reload();
  };
  const ask = (question: MessageKey, method: string, after: () => void) =>
    window.confirm(t(question, { key })) && run(method, {}, after);

  const items = ({ row }: Opened): MenuItem[] =>
    sessionItems(row, t, {
      pin: () => patch({ pinned: !row.pinned }),
      rename: () => {
        const label = window.prompt(t("sessions.renamePrompt"), titleOf(row));
        if (label !== null) patch({ label: label.trim() || null });
      },
      unread: () => patch({ unread: !row.unread }),
      archive: () => patch({ archived: !row.archived }, row.archived ? undefined : leave),
      // The group's name (empty: none; a new name is a new group), as OpenClaw's "Move to group" with "New group".
      group: () => {
        const name = window.prompt(t("groups.move"), row.category);
        if (name !== null) patch({ category: name.trim() || null });
      },
      reset: () => ask("sessions.confirmReset", "sessions.reset", reload),
      delete: () => ask("sessions.confirmDelete", "sessions.delete", leave),
    });

  return (
    <RowMenu
      label={t("sessions.actions")}
      class="chat-menu"
      open={!!menu}
      onToggle={() =>
        menu
          ? close()
          : conn
              .request<{ session: MenuRow | null }>("sessions.describe", { key })
              .then((found) => setState({ key, row: found.session ?? ({ key } as MenuRow) }), fail)
      }
      onClose={close}
      items={() => (menu ? items(menu) : [])}
    />
  );
}
