/**
 * Custom session groups (OpenClaw's `sessions.groups.*`; a session's group is its
 * `category`): the Sessions screen's Group by control, New group, Move to group and the
 * section headers with Rename / Delete; the chat sidebar's groups above ungrouped rows.
 * Rows are dragged onto a group (or Pinned, in the sidebar), headers on the Sessions screen to reorder groups.
 */
import type { ComponentChildren } from "preact";
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from "preact/hooks";
import { RowMenu } from "../components/row-menu.js";
import type { GatewayConnection } from "../gateway.js";
import { type MessageKey, useI18n } from "../i18n/index.js";
import { errorText } from "../util.js";
import { dropTarget, groupTarget, reordered } from "./session-drag.js";
import { Chunk, channelOf, type Row, type RowContext } from "./session-row.js";

type Grouped = { key: string; category?: string; kind?: string; updatedAt?: number };
/** OpenClaw's date sections in order, each named by its label. */
const DATES: MessageKey[] = ["day.today", "day.yesterday", "day.week", "day.older"];
/** A row's date section by last activity in this browser's time zone: today, yesterday, the 5 days before, older. */
function dateOf({ updatedAt: at = 0 }: Grouped) {
  const day = (t: number) => new Date(t).setHours(0, 0, 0, 0);
  // Rounded: a day with a daylight-saving change has 23 or 25 hours.
  const n = Math.round((day(Date.now()) - day(at)) / 864e5);
  return DATES[n < 1 ? 0 : n < 2 ? 1 : n < 7 ? 2 : 3];
}
/** Group by: the label of each choice, and what a row is grouped by. */
const BYS: Record<string, [MessageKey, (r: Grouped) => string | undefined]> = {
  custom: ["groups.custom", (r) => r.category],
  channel: ["groups.channel", channelOf],
  kind: ["sessions.kind", (r) => r.kind],
  agent: ["chat.agent", (r) => r.key.split(":")[1]],
  date: ["groups.date", dateOf],
  none: ["groups.none", () => undefined],
};
const BY_KEY = "openclaw.controlUi.groupBy";
const FOLDED_KEY = "openclaw.controlUi.foldedGroups";

/** Rows by group: `names` first (in order; empty ones only when `empty`), others as met, ungrouped ("") last. */
function split<R extends Grouped>(
  rows: R[],
  of: (r: R) => string | undefined,
  names: string[],
  empty?: boolean,
) {
  const parts = new Map<string, R[]>(names.map((n) => [n, []]));
  for (const r of rows) {
    const name = of(r) ?? "";
    parts.set(name, [...(parts.get(name) ?? []), r]);
  }
  const rest = parts.get("");
  parts.delete("");
  return [[...parts].filter(([, members]) => empty || members.length), rest] as const;
}

/** A remembered choice (undefined when storage is off or holds none). */
const stored = (key: string) => {
  try {
    return localStorage.getItem(key) ?? undefined;
  } catch {}
};
const remember = (key: string, value: string) => {
  try {
    localStorage.setItem(key, value);
  } catch {}
};

/** The catalog's names in order, fetched again when any client changes it. */
function useGroupNames(conn: GatewayConnection): [string[], () => Promise<void>] {
  const [names, setNames] = useState<string[]>([]);
  const list = async () => {
    if (conn.hello.features?.methods?.includes("sessions.groups.list"))
      setNames(
        (await conn.request<{ groups: { name: string }[] }>("sessions.groups.list", {})).groups.map(
          (g) => g.name,
        ),
      );
  };
  useEffect(() => {
    list().catch(() => {});
    return conn.on((e) => {
      if (e.event === "sessions.changed" && (e.payload as { reason?: string }).reason === "groups")
        list().catch(() => {});
    });
  }, [conn]);
  return [names, list];
}

/** What the inline form does: name a new group, rename `name`, or pick a group for session `key`. */
type Form = { name?: string; key?: string; value: string };

/** The Sessions screen's groups: `reload` fetches the page again after a change. */
export function useGroups(conn: GatewayConnection, reload: () => unknown) {
  const { t } = useI18n();
  const [names, list] = useGroupNames(conn);
  const [by, setBy] = useState(() => stored(BY_KEY) ?? "custom");
  const [form, setForm] = useState<Form>();
  const [menu, setMenu] = useState<string>();
  const [error, setError] = useState("");
  const field = useRef<HTMLInputElement & HTMLSelectElement>(null);
  // Focused once open, before it is painted (what is typed right after the click lands in it);
  // not controlled, so a re-render behind it does not undo what was typed.
  useLayoutEffect(() => {
    if (field.current && form) {
      field.current.value = form.value;
      field.current.focus();
    }
  }, [form]);

  const run = async (method: string, params: unknown) => {
    setMenu(undefined);
    try {
      await conn.request(method, params);
      setError("");
      setForm(undefined);
      await list();
      await reload();
    } catch (err) {
      setError(errorText(err));
    }
  };
  const open = (next: Form) => {
    setMenu(undefined);
    setForm(next);
  };
  const submit = (e: Event) => {
    e.preventDefault();
    const value = field.current?.value.trim() ?? "";
    if (form?.key) void run("sessions.patch", { key: form.key, category: value || null });
    else if (form?.name) void run("sessions.groups.rename", { name: form.name, to: value });
    else void run("sessions.groups.put", { names: [...names, value] });
  };

  const groupOf = BYS[by]?.[1] ?? ((r: Grouped) => r.category);
  const custom = by === "custom";
  /** The rows in sections (a `<tbody>` each) with a header and a count (none under "None" or without groups), each drawn by `draw`. */
  const sections = <R extends Grouped>(rows: R[], draw: (row: R) => ComponentChildren) => {
    // The catalog's groups, empty ones too; the date sections that have rows, in order.
    const [parts, rest] = split(rows, groupOf, custom ? names : DATES, custom);
    // No header at all while there is no group; ungrouped last.
    if (!parts.length) return <tbody>{rows.map(draw)}</tbody>;
    return [...parts, ...(rest ? [["", rest] as const] : [])].map(([name, members]) => (
      <tbody key={name} {...(custom ? groupTarget(name, names, run) : {})}>
        <tr class="group-row" data-group={name} draggable={custom && !!name}>
          <th colSpan={8}>
            <div class="group-head">
              <span class="group-title">
                {by === "date" ? t(name as MessageKey) : name || t("groups.ungrouped")}
              </span>
              <span class="muted small">{members.length}</span>
              {custom && name && (
                <RowMenu
                  label={`${name}: ${t("sessions.actions")}`}
                  open={menu === name}
                  onToggle={() => setMenu(menu === name ? undefined : name)}
                  onClose={() => setMenu(undefined)}
                  items={() => [
                    { label: t("sessions.rename"), run: () => open({ name, value: name }) },
                    {
                      label: t("sessions.delete"),
                      danger: true,
                      run: () =>
                        window.confirm(t("groups.confirmDelete", { name })) &&
                        void run("sessions.groups.delete", { name }),
                    },
                  ]}
                />
              )}
            </div>
          </th>
        </tr>
        {members.map(draw)}
      </tbody>
    ));
  };

  /** The row menu's "Move to group…" (none while there is no group to move to). */
  const items = (row: Grouped) =>
    names.length || row.category
      ? [{ label: t("groups.move"), run: () => open({ key: row.key, value: row.category ?? "" }) }]
      : [];

  const bar = (
    <>
      <div class="toolbar group-bar">
        <label>
          {t("groups.by")}
          <select
            id="sessions-group-by"
            value={by}
            onChange={(e) => {
              const next = (e.currentTarget as HTMLSelectElement).value;
              setBy(next);
              remember(BY_KEY, next);
            }}
          >
            {Object.entries(BYS).map(([b, [label]]) => (
              <option key={b} value={b}>
                {t(label)}
              </option>
            ))}
          </select>
        </label>
        <button type="button" class="secondary" id="new-group" onClick={() => open({ value: "" })}>
          {t("groups.new")}
        </button>
      </div>
      {form && (
        <form
          class="toolbar group-form"
          id="group-form"
          onSubmit={submit}
          onKeyDown={(e) => e.key === "Escape" && setForm(undefined)}
        >
          <label for="group-field">
            {form.key ? `${t("groups.move")} ${form.key}` : t(form.name ? "sessions.rename" : "groups.new")}
          </label>
          {form.key ? (
            <select ref={field} id="group-field">
              {["", ...names].map((n) => (
                <option key={n} value={n}>
                  {n || t("groups.ungrouped")}
                </option>
              ))}
            </select>
          ) : (
            <input ref={field} id="group-field" required maxLength={128} />
          )}
          <button type="submit">{t("auto.save")}</button>
          <button type="button" class="secondary" onClick={() => setForm(undefined)}>
            {t("auto.cancel")}
          </button>
        </form>
      )}
      {error && (
        <p class="banner error" role="alert">
          {error}
        </p>
      )}
    </>
  );
  /** Rows are dragged onto sections while they are custom groups. */
  return { bar, sections, items, drags: custom };
}

/**
 * The sidebar's loaded rows: each custom group's sessions (catalog order, foldable, the
 * folded ones remembered in this browser) above the ungrouped pages, all in activity order.
 */
export function GroupedPages({ pages, c, conn }: { pages: Row[][]; c: RowContext; conn: GatewayConnection }) {
  const [names] = useGroupNames(conn);
  // Moved since its page was fetched (a rename or delete elsewhere moves many at once).
  const [moved, setMoved] = useState<Record<string, string | undefined>>({});
  const [folded, setFolded] = useState(() => stored(FOLDED_KEY)?.split("\n") ?? []);
  useEffect(
    () =>
      conn.on(({ event, payload }) => {
        const p = payload as { sessionKey?: string; session?: Grouped };
        if (event === "sessions.changed" && p.sessionKey && p.session)
          setMoved((m) => ({ ...m, [p.sessionKey as string]: p.session?.category }));
      }),
    [conn],
  );
  const [groups, rest] = useMemo(() => {
    const cat = (r: Grouped) => (r.key in moved ? moved[r.key] : r.category);
    // A page with no grouped row keeps its identity (it is not rendered again).
    return [
      split(pages.flat(), cat, names)[0],
      pages.map((p) => (p.some(cat) ? p.filter((r) => !cat(r)) : p)),
    ] as const;
  }, [pages, moved, names]);
  // A row onto a group's header moves it there, onto Ungrouped ungroups it, onto Pinned pins it;
  // a group's header onto another's takes its place.
  const drop = (patch: { category?: string | null; pinned?: boolean }) =>
    dropTarget(
      (d) => d.key || (patch.category && patch.category !== d.group),
      ({ key, group = "" }) =>
        key
          ? c.on.current.mark(key, patch)
          : c.on.current.order(reordered(names, group, patch.category ?? "")),
    );
  const fold = (name: string) => {
    const next = folded.includes(name) ? folded.filter((n) => n !== name) : [...folded, name];
    setFolded(next);
    remember(FOLDED_KEY, next.join("\n"));
  };
  return (
    <>
      {groups.map(([name, rows]) => [
        <li
          key={`group:${name}`}
          class="group-head"
          data-group={name}
          draggable={c.canRename}
          {...drop({ category: name })}
        >
          <button
            type="button"
            class="ghost"
            aria-expanded={!folded.includes(name)}
            onClick={() => fold(name)}
          >
            <span class="group-title">{name}</span>
            <span class="muted small">{rows.length}</span>
          </button>
        </li>,
        !folded.includes(name) && <Chunk key={`rows:${name}`} rows={rows} c={c} />,
      ])}
      {groups.length > 0 && (
        <li class="group-head" data-group="" {...drop({ category: null })}>
          <span class="group-title">{c.t("groups.ungrouped")}</span>
        </li>
      )}
      {rest.map((page, i) => (
        <Chunk key={i} rows={page} c={c} />
      ))}
      <li id="drop-pinned" {...drop({ pinned: true })}>
        ★ {c.t("sessions.pinned")}
      </li>
    </>
  );
}
