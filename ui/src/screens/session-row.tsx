/** One row of the chat's sessions sidebar: its channel badge, title, time, marks and row menu. */
import { Component } from "preact";
import { RowMenu } from "../components/row-menu.js";
import type { Translate } from "../i18n/index.js";
import type { SessionRow } from "./agents.js";
import { sessionItems } from "./session-items.js";

export type Row = SessionRow & { label?: string };

/** The channel a session came from: its recorded channel, else the key's third part (agent:<id>:<channel>:…). */
export function channelOf(row: Pick<SessionRow, "key" | "channel">): string {
  if (row.channel) return row.channel;
  const part = row.key.split(":")[2] ?? "";
  return part === "main" || part.startsWith("ui-") ? "webchat" : part || "webchat";
}

export function titleOf(row: SessionRow & { label?: string }): string {
  return row.label || row.displayName || row.key.split(":").slice(2).join(":") || row.key;
}

/** Short relative time: "now", "5m", "3h", "2d", else the date. */
function ago(ts: number, now: number, lang: string, justNow: string): string {
  const s = Math.max(0, Math.round((now - ts) / 1000));
  if (s < 60) return justNow;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h`;
  if (s < 7 * 86_400) return `${Math.floor(s / 86_400)}d`;
  return new Date(ts).toLocaleDateString(lang);
}

export interface RowContext {
  current: string;
  menu: string | undefined;
  running: ReadonlySet<string>;
  unread: ReadonlySet<string>;
  lang: string;
  t: Translate;
  canRename: boolean;
  now: number;
  on: {
    current: {
      select(key: string): void;
      /** Opens the row's menu (closes it when open); undefined closes any. */
      menu(key: string | undefined): void;
      rename(row: Row): void;
      act(method: "sessions.reset" | "sessions.delete", key: string): void;
      mark(key: string, patch: { pinned?: boolean; unread?: boolean; category?: string | null }): void;
      /** Puts the custom groups in this order (a header dragged onto another's). */
      order(names: string[]): void;
    };
  };
}

function rowView(row: Row, c: RowContext) {
  return (
    <li
      key={row.key}
      data-key={row.key}
      draggable={c.canRename && !!row.sessionId}
      class={`session-row${row.key === c.current ? " active" : ""}${(c.unread.has(row.key) || row.unread) && row.key !== c.current ? " unread" : ""}`}
    >
      <button type="button" class="session-open" onClick={() => c.on.current.select(row.key)} title={row.key}>
        <span class={`chan chan-${channelOf(row)}`} aria-hidden="true">
          {channelOf(row).slice(0, 1).toUpperCase()}
        </span>
        <span class="session-title">{titleOf(row)}</span>
        {row.pinned && (
          <span class="pin" role="img" aria-label={c.t("sessions.pinned")}>
            ★
          </span>
        )}
        {c.running.has(row.key) && <span class="running" title={c.t("sessions.running")} />}
        <span class="muted small">
          {row.sessionId ? ago(row.updatedAt, c.now, c.lang, c.t("sessions.justNow")) : ""}
        </span>
      </button>
      {row.sessionId && (
        <RowMenu
          label={c.t("sessions.actions")}
          open={c.menu === row.key}
          onToggle={() => c.on.current.menu(row.key)}
          onClose={() => c.on.current.menu(undefined)}
          items={() =>
            sessionItems(row, c.t, {
              ...(c.canRename && {
                pin: () => c.on.current.mark(row.key, { pinned: !row.pinned }),
                rename: () => c.on.current.rename(row),
                // The open session is read: it has no "Mark as unread" here (the chat header's menu has).
                unread:
                  row.key === c.current
                    ? undefined
                    : () => c.on.current.mark(row.key, { unread: !row.unread }),
              }),
              reset: () => c.on.current.act("sessions.reset", row.key),
              delete: () => c.on.current.act("sessions.delete", row.key),
            })
          }
        />
      )}
    </li>
  );
}

/** One page of rows: re-rendered only when its rows or the marks (active, running, menu…) change. */
export class Chunk extends Component<{ rows: Row[]; c: RowContext }> {
  override shouldComponentUpdate(next: { rows: Row[]; c: RowContext }): boolean {
    return next.rows !== this.props.rows || next.c !== this.props.c;
  }
  override render() {
    return <>{this.props.rows.map((row) => rowView(row, this.props.c))}</>;
  }
}
