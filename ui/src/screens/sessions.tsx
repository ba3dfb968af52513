import { useEffect, useRef, useState } from "preact/hooks";
import type { ScreenProps } from "../app.js";
import { RowMenu } from "../components/row-menu.js";
import { Stamp } from "../components/time.js";
import type { GatewayConnection } from "../gateway.js";
import { useI18n } from "../i18n/index.js";
import { chatLink, errorText } from "../util.js";
import { type SessionPage, useAgents } from "./agents.js";
import { sessionItems } from "./session-items.js";
import { type Defaults, DrawerToggle, isLive, kindOf, type Row, SessionDrawer } from "./sessions-drawer.js";
import { useGroups } from "./sessions-groups.js";
import { TranscriptSearch } from "./sessions-search.js";

/** Rows per page the user can choose (OpenClaw's "Rows per page"); 50 first, whatever the store holds. */
const PAGE_SIZES = [25, 50, 100, 200];

type RowPage = Omit<SessionPage, "sessions"> & { sessions: Row[]; defaults?: Defaults };
type Status = "active" | "archived" | "all";
/** The columns a user can sort by, each one of `sessions.list`'s `sortBy` values. */
const SORTS = [
  ["name", "sessions.key"],
  ["createdAt", "sessions.created"],
  ["updatedAt", "sessions.updated"],
  ["totalTokens", "sessions.tokens"],
] as const;
type Sort = { by: (typeof SORTS)[number][0]; dir: "asc" | "desc" };

function listPage(
  conn: GatewayConnection,
  agentId: string,
  q: { cursor?: string; search: string; status: Status; sort: Sort; size: number },
) {
  return conn.request<RowPage>("sessions.list", {
    agentId,
    limit: q.size,
    sortBy: q.sort.by,
    sortDir: q.sort.dir,
    ...(q.status === "active" ? {} : { archived: q.status === "all" ? "all" : true }),
    ...(q.cursor ? { cursor: q.cursor } : {}),
    ...(q.search ? { search: q.search } : {}),
  });
}

/** A session key that wraps after its colons (`agent:main:` / `telegram:…`), not mid-word. */
function withBreaks(key: string) {
  return key.split(":").map((part, i) => (i === 0 ? part : [":", <wbr key={i} />, part]));
}

export function SessionsScreen({ conn }: ScreenProps) {
  const { t } = useI18n();
  const agents = useAgents(conn);
  const [agentId, setAgentId] = useState<string | undefined>();
  const agent = agentId ?? agents[0] ?? "main";
  const [page, setPage] = useState<RowPage>();
  const rows = page?.sessions;
  // Cursors of the pages before this one (keyset paging: "newer" pops, "older" pushes).
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [search, setSearch] = useState("");
  const [status, setStatus] = useState<Status>("active");
  const [sort, setSort] = useState<Sort>({ by: "updatedAt", dir: "desc" });
  const [size, setSize] = useState(50);
  const [menu, setMenu] = useState<string>();
  const [drawer, setDrawer] = useState<string>();
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const [notice, setNotice] = useState("");
  const cursor = cursors.at(-1);

  // Only the answer to the latest request is shown (a slower, older one may arrive after it).
  const latest = useRef(0);
  const load = () => {
    const n = ++latest.current;
    return listPage(conn, agent, { cursor, search: search.trim(), status, sort, size })
      .then((p) => {
        if (n !== latest.current) return;
        setError("");
        setPage(p);
        // Only rows still on the page stay selected.
        setSelected((s) => new Set(p.sessions.filter((r) => s.has(r.key)).map((r) => r.key)));
      })
      .catch((err) => n === latest.current && setError(errorText(err)));
  };
  useEffect(() => void load(), [conn, agent, cursor, search, status, sort, size]);
  const groups = useGroups(conn, load);
  /** A new query starts at its first page, in the same render (no request with the old cursor). */
  const requery =
    <T,>(set: (v: T) => void) =>
    (v: T) => {
      set(v);
      setCursors([undefined]);
    };
  const first = (cursors.length - 1) * size;

  /** Asks (when there is a question), runs the change, reloads; says what happened or what failed. */
  const apply = async (question: string, done: string, run: () => Promise<unknown>) => {
    setMenu(undefined);
    if (question && !window.confirm(question)) return;
    setError("");
    setNotice("");
    setBusy(true);
    try {
      await run();
      setNotice(done);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
      await load();
    }
  };
  const setArchived = (keys: string[], archived: boolean) => {
    const ids = new Map(rows?.map((r) => [r.key, r.sessionId]));
    const done = t(archived ? "sessions.wasArchived" : "sessions.wasRestored", { count: keys.length });
    return apply("", done, async () => {
      const res = await conn.request<{ results: { key: string; ok: boolean; error?: string }[] }>(
        "sessions.patchMany",
        { targets: keys.map((key) => ({ key, expectedSessionId: ids.get(key) })), patch: { archived } },
      );
      const failed = res.results.find((r) => !r.ok);
      if (failed) throw new Error(failed.error ?? failed.key);
    });
  };
  const remove = (keys: string[]) =>
    apply(
      keys.length === 1
        ? t("sessions.confirmDelete", { key: keys[0] ?? "" })
        : t("sessions.confirmDeleteMany", { count: keys.length }),
      keys.length === 1
        ? t("sessions.wasDeleted", { key: keys[0] ?? "" })
        : t("sessions.wasDeletedMany", { count: keys.length }),
      () => Promise.all(keys.map((key) => conn.request("sessions.delete", { key }))),
    );
  const reset = (key: string) =>
    apply(t("sessions.confirmReset", { key }), t("sessions.wasReset", { key }), () =>
      conn.request("sessions.reset", { key }),
    );

  const toggle = (key: string) =>
    setSelected((s) => {
      const next = new Set(s);
      if (!next.delete(key)) next.add(key);
      return next;
    });
  const allOnPage = !!rows?.length && rows.every((r) => selected.has(r.key));
  const chosen = [...selected];

  const sortHead = ([by, label]: (typeof SORTS)[number]) => (
    <th key={by} aria-sort={sort.by === by ? (sort.dir === "asc" ? "ascending" : "descending") : "none"}>
      <button
        type="button"
        class="sort"
        data-sort={by}
        onClick={() =>
          requery(setSort)({
            by,
            dir:
              sort.by === by && sort.dir === "desc"
                ? "asc"
                : by === "name" && sort.by !== by
                  ? "asc"
                  : "desc",
          })
        }
      >
        {t(label)}
        {sort.by === by ? (sort.dir === "asc" ? " ▲" : " ▼") : ""}
      </button>
    </th>
  );

  return (
    <section class="sessions-screen">
      <div class="toolbar">
        <h1>{t("nav.sessions")}</h1>
        {page && rows && (
          <span class="muted" id="sessions-facts">
            {t("sessions.facts", {
              total: page.totalCount,
              live: rows.filter(isLive).length,
              unread: rows.filter((r) => r.unread && !r.archived).length,
            })}
          </span>
        )}
        <label>
          {t("chat.agent")}
          <select
            value={agent}
            onChange={(e) => requery(setAgentId)((e.currentTarget as HTMLSelectElement).value)}
          >
            {agents.map((id) => (
              <option key={id} value={id}>
                {id}
              </option>
            ))}
          </select>
        </label>
        <select
          id="sessions-status"
          aria-label={t("sessions.status")}
          value={status}
          onChange={(e) => requery(setStatus)((e.currentTarget as HTMLSelectElement).value as Status)}
        >
          <option value="active">{t("sessions.active")}</option>
          <option value="archived">{t("sessions.archived")}</option>
          <option value="all">{t("sessions.all")}</option>
        </select>
        <input
          type="search"
          id="sessions-search"
          placeholder={t("sessions.search")}
          value={search}
          onInput={(e) => requery(setSearch)((e.currentTarget as HTMLInputElement).value)}
        />
        <button type="button" class="secondary" onClick={() => void load()}>
          {t("common.refresh")}
        </button>
      </div>
      <TranscriptSearch conn={conn} agent={agent} status={status} />
      {groups.bar}
      {chosen.length > 0 && (
        <div class="toolbar bulk-bar" id="sessions-bulk">
          <strong>{t("sessions.selected", { count: chosen.length })}</strong>
          {status !== "archived" && (
            <button
              type="button"
              class="secondary"
              disabled={busy}
              onClick={() => void setArchived(chosen, true)}
            >
              {t("sessions.archive")}
            </button>
          )}
          {status !== "active" && (
            <button
              type="button"
              class="secondary"
              disabled={busy}
              onClick={() => void setArchived(chosen, false)}
            >
              {t("sessions.restore")}
            </button>
          )}
          <button type="button" class="danger" disabled={busy} onClick={() => void remove(chosen)}>
            {t("sessions.delete")}
          </button>
          <button type="button" class="secondary" onClick={() => setSelected(new Set())}>
            {t("sessions.clearSelection")}
          </button>
        </div>
      )}
      {notice && <p class="banner ok">{notice}</p>}
      {error && (
        <p class="banner error" role="alert">
          {error}
        </p>
      )}
      {!page && !error && (
        <p class="loading" role="status">
          {t("app.loading")}
        </p>
      )}
      {rows?.length === 0 && (
        <div class="empty-state">
          <p>{t("sessions.none")}</p>
          <a href="#/chat">{t("sessions.startChat")}</a>
        </div>
      )}
      {rows && rows.length > 0 && (
        <table id="sessions-table" class="sessions-table">
          <thead>
            <tr>
              <th class="pick">
                <input
                  type="checkbox"
                  aria-label={t("sessions.selectPage")}
                  checked={allOnPage}
                  onChange={() => setSelected(allOnPage ? new Set() : new Set(rows.map((r) => r.key)))}
                />
              </th>
              {sortHead(SORTS[0])}
              <th>{t("sessions.kind")}</th>
              <th>{t("sessions.state")}</th>
              {SORTS.slice(1).map(sortHead)}
              <th />
            </tr>
          </thead>
          {/* A <tbody> per section. */}
          {groups.sections(rows, (row) => [
            <tr
              key={row.key}
              data-key={row.key}
              class={row.archived && status === "all" ? "archived" : ""}
              draggable={groups.drags}
            >
              <td class="pick">
                <input
                  type="checkbox"
                  aria-label={t("sessions.selectRow", { key: row.key })}
                  checked={selected.has(row.key)}
                  onChange={() => toggle(row.key)}
                />
              </td>
              <td class="name">
                {row.unread && !row.archived && (
                  <span class="unread-dot" role="img" aria-label={t("sessions.unread")} />
                )}
                <a href={chatLink(row.key)}>
                  <code>{withBreaks(row.key)}</code>
                </a>
                {/* The label and the model share the line under the key (the model gets no column). */}
                {(row.label ?? row.displayName ?? row.model) && (
                  <div class="muted small">
                    {[row.label ?? row.displayName, row.model].filter(Boolean).join(" · ")}
                  </div>
                )}
                {row.archived && <span class="badge">{t("sessions.archivedBadge")}</span>}
                {row.pinned && <span class="badge">{t("sessions.pinned")}</span>}
              </td>
              <td class="col kind">{t(kindOf(row))}</td>
              <td class={`col state${isLive(row) ? " live" : ""}`}>
                {t(isLive(row) ? "sessions.live" : "sessions.idle")}
              </td>
              <td class="col" data-label={t("sessions.created")}>
                {row.createdAt !== undefined && <Stamp at={row.createdAt} />}
              </td>
              <td class="col" data-label={t("sessions.updated")}>
                {row.updatedAt !== undefined && <Stamp at={row.updatedAt} />}
              </td>
              <td class="col" data-label={t("sessions.tokens")}>
                {row.totalTokens ?? ""}
              </td>
              <td class="more">
                <DrawerToggle row={row} open={drawer} onToggle={setDrawer} />
                <RowMenu
                  label={t("sessions.actions")}
                  open={menu === row.key}
                  onToggle={() => setMenu(menu === row.key ? undefined : row.key)}
                  onClose={() => setMenu(undefined)}
                  items={() =>
                    sessionItems(row, t, {
                      archive: () => void setArchived([row.key], !row.archived),
                      group: groups.items(row)[0]?.run,
                      reset: () => void reset(row.key),
                      delete: () => void remove([row.key]),
                    })
                  }
                />
              </td>
            </tr>,
            drawer === row.key && (
              <SessionDrawer key="drawer" conn={conn} row={row} page={page} onSaved={load} />
            ),
          ])}
        </table>
      )}
      {page && page.totalCount > 0 && (
        <div class="toolbar pager" id="sessions-pager">
          <span class="muted">
            {t("sessions.range", {
              from: first + 1,
              to: first + page.sessions.length,
              total: page.totalCount,
            })}
          </span>
          <select
            id="sessions-size"
            aria-label={t("sessions.pageSize")}
            value={size}
            onChange={(e) => requery(setSize)(Number((e.currentTarget as HTMLSelectElement).value))}
          >
            {PAGE_SIZES.map((n) => (
              <option key={n} value={n}>
                {t("sessions.perPage", { count: n })}
              </option>
            ))}
          </select>
          <button
            type="button"
            class="secondary"
            disabled={cursors.length === 1}
            onClick={() => setCursors(cursors.slice(0, -1))}
          >
            {t("sessions.previous")}
          </button>
          <button
            type="button"
            class="secondary"
            disabled={!page.hasMore}
            onClick={() => setCursors([...cursors, page.nextCursor])}
          >
            {t("sessions.next")}
          </button>
        </div>
      )}
    </section>
  );
}
