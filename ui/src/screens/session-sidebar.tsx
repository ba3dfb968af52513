import { useEffect, useLayoutEffect, useMemo, useRef, useState } from "preact/hooks";
import type { GatewayConnection } from "../gateway.js";
import { useI18n } from "../i18n/index.js";
import { errorText } from "../util.js";
import { listSessionPage, mainSessionKey, type SessionRow } from "./agents.js";
import { Chunk, type Row, type RowContext, titleOf } from "./session-row.js";
import { GroupedPages } from "./sessions-groups.js";

/** Rows fetched at a time: a screenful or two; the next page loads when the list's end scrolls into view. */
export const SIDEBAR_PAGE = 100;

export interface SidebarProps {
  conn: GatewayConnection;
  agent: string;
  agents: string[];
  onAgent(id: string): void;
  current: string;
  onSelect(key: string): void;
  onNew(): void;
  running: ReadonlySet<string>;
  unread: ReadonlySet<string>;
  /** Bumped when a run ends, so the order by last activity is fetched again. */
  refresh: number;
  /** Told the open session's title (its label or name) whenever the list knows it. */
  onTitle?(title: string | undefined): void;
  /** Told each page of rows fetched (their `activeRunIds` say which runs are going now). */
  onRows?(rows: readonly SessionRow[]): void;
}

/** Where the user is reading: the first row in view and how far below the list's top edge it starts. */
interface Anchor {
  key: string;
  offset: number;
}

function readingAnchor(list: HTMLElement | null): Anchor | undefined {
  if (!list) return undefined;
  const top = list.getBoundingClientRect().top;
  for (const row of list.querySelectorAll<HTMLElement>("li[data-key]")) {
    const box = row.getBoundingClientRect();
    if (box.bottom > top + 1) return { key: row.dataset.key ?? "", offset: box.top - top };
  }
  return undefined;
}

/** Scrolls `list` so the anchor's row is where it was (it may have moved as rows above it changed). */
function restoreAnchor(list: HTMLElement | null, anchor: Anchor): void {
  const row = list?.querySelector<HTMLElement>(`li[data-key="${CSS.escape(anchor.key)}"]`);
  if (!list || !row) return;
  const moved = row.getBoundingClientRect().top - list.getBoundingClientRect().top - anchor.offset;
  list.scrollTop += moved;
}

/**
 * The fresh first page on top, then the rows already loaded that it does not hold, page
 * by page (a page that loses no row keeps its identity, so it is not rendered again).
 */
export function mergeFirstPage<R extends { key: string }>(pages: R[][], fresh: R[]): R[][] {
  const top = new Set(fresh.map((r) => r.key));
  const rest = pages
    .map((p) => (p.some((r) => top.has(r.key)) ? p.filter((r) => !top.has(r.key)) : p))
    .filter((p) => p.length > 0);
  return [fresh, ...rest];
}

export function SessionSidebar(props: SidebarProps) {
  const { conn, agent, current } = props;
  const { t, lang } = useI18n();
  // Kept page by page: a page already shown is not rendered again when the next one arrives.
  const [pages, setPages] = useState<Row[][]>([]);
  const rows = useMemo(() => pages.flat(), [pages]);
  const [total, setTotal] = useState<number | undefined>();
  const [next, setNext] = useState<string | undefined>();
  const [search, setSearch] = useState("");
  const [error, setError] = useState("");
  const [menu, setMenu] = useState<string | undefined>();
  const loading = useRef(false);
  const sentinel = useRef<HTMLLIElement>(null);
  const listEl = useRef<HTMLUListElement>(null);
  // Set before the first page is merged in, used once the list is laid out again.
  const anchor = useRef<Anchor | undefined>(undefined);
  const canRename = conn.hello.features?.methods?.includes("sessions.patch") ?? false;

  const load = async (cursor: string | undefined) => {
    if (cursor && loading.current) return; // the list's end came into view while the button was pressed
    loading.current = true;
    try {
      const page = await listSessionPage(conn, agent, { limit: SIDEBAR_PAGE, cursor, search: search.trim() });
      const fresh = page.sessions as Row[];
      props.onRows?.(fresh);
      setPages((list) => {
        if (!cursor) return [fresh];
        const seen = new Set(list.flat().map((r) => r.key));
        return [...list, fresh.filter((r) => !seen.has(r.key))];
      });
      setTotal(page.totalCount);
      setNext(page.hasMore ? page.nextCursor : undefined);
      setError("");
    } catch (err) {
      setError(errorText(err));
    } finally {
      loading.current = false;
    }
  };
  useEffect(() => void load(undefined), [conn, agent, search]);

  /**
   * After a run ends (or a reset) the first page is fetched again and merged in: sessions
   * that moved up leave their old place, pages further down stay as they are, so a user
   * scrolled far down keeps the rows and the place they were reading: the row at the top
   * of the view is put back where it was once the list is laid out again (rows above it
   * that moved up or away would otherwise shift it).
   */
  const refreshTop = async () => {
    try {
      const page = await listSessionPage(conn, agent, { limit: SIDEBAR_PAGE, search: search.trim() });
      const fresh = page.sessions as Row[];
      props.onRows?.(fresh);
      anchor.current =
        listEl.current && listEl.current.scrollTop > 0 ? readingAnchor(listEl.current) : undefined;
      setPages((pages) => mergeFirstPage(pages, fresh));
      setTotal(page.totalCount);
      setNext((cursor) => (pages.length <= 1 ? (page.hasMore ? page.nextCursor : undefined) : cursor));
      setError("");
    } catch (err) {
      setError(errorText(err));
    }
  };
  const firstRefresh = useRef(props.refresh);
  useEffect(() => {
    if (props.refresh !== firstRefresh.current) void refreshTop();
  }, [props.refresh]);

  // After the DOM has the merged rows, before the browser paints them.
  useLayoutEffect(() => {
    const reading = anchor.current;
    anchor.current = undefined;
    if (reading) restoreAnchor(listEl.current, reading);
  }, [pages]);

  const currentRow = rows.find((r) => r.key === current);
  const currentTitle = currentRow && (currentRow.label || currentRow.displayName);
  useEffect(() => props.onTitle?.(currentTitle), [currentTitle]);

  // The next page loads when the end of the list comes into view.
  useEffect(() => {
    const el = sentinel.current;
    if (!el || !next) return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting) && !loading.current) void load(next);
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, [next, rows.length]);

  const drop = (key: string) =>
    setPages((list) => list.map((p) => (p.some((r) => r.key === key) ? p.filter((r) => r.key !== key) : p)));
  // Deleted or archived elsewhere: gone at once, on whatever page (the first page is fetched again too).
  useEffect(
    () =>
      conn.on(({ event, payload }) => {
        const p = payload as { reason?: string; sessionKey?: string; session?: { archived?: boolean } };
        if (event === "sessions.changed" && p.sessionKey && (p.reason === "delete" || p.session?.archived))
          drop(p.sessionKey);
      }),
    [conn],
  );

  const act = async (method: "sessions.reset" | "sessions.delete", key: string) => {
    const question =
      method === "sessions.reset"
        ? t("sessions.confirmReset", { key })
        : t("sessions.confirmDelete", { key });
    if (!window.confirm(question)) return;
    try {
      await conn.request(method, { key });
      setMenu(undefined);
      if (method === "sessions.delete" && key === current) props.onSelect(mainSessionKey(agent));
      if (method === "sessions.delete") {
        drop(key);
        setTotal((n) => (n === undefined ? n : n - 1));
      } else await refreshTop();
    } catch (err) {
      setError(errorText(err));
    }
  };

  const rename = async (row: Row) => {
    const label = window.prompt(t("sessions.renamePrompt"), titleOf(row));
    if (label === null) return;
    try {
      const res = await conn.request<{ entry?: { label?: string } }>("sessions.patch", {
        key: row.key,
        label: label.trim() || null,
      });
      setMenu(undefined);
      // Changed in place: the row keeps its position (a label is not activity).
      const renamed = { label: res.entry?.label, displayName: res.entry?.label };
      setPages((list) =>
        list.map((p) =>
          p.some((r) => r.key === row.key) ? p.map((r) => (r.key === row.key ? { ...r, ...renamed } : r)) : p,
        ),
      );
    } catch (err) {
      setError(errorText(err));
    }
  };

  /** Pin, unpin, mark unread or move to a group; the list is fetched again (pins lead it). */
  const mark = async (key: string, patch: Parameters<RowContext["on"]["current"]["mark"]>[1]) => {
    try {
      await conn.request("sessions.patch", { key, ...patch });
      setMenu(undefined);
      await refreshTop();
    } catch (err) {
      setError(errorText(err));
    }
  };
  // The open session is read: kept on the gateway (a reload, another browser agree); its sessions.changed refreshes the row.
  // Marked unread while open (the chat header's menu), it stays so until opened again (OpenClaw's reminder).
  const read = useRef("");
  useEffect(() => {
    if (
      canRename &&
      currentRow?.unread &&
      (read.current !== current || currentRow.markedUnreadAt === undefined)
    )
      conn
        .request("sessions.patch", {
          key: current,
          unread: false,
          expectedMarkedUnreadAt: currentRow.markedUnreadAt ?? null,
        })
        .catch((err) => setError(errorText(err)));
    read.current = currentRow ? current : "";
  }, [currentRow]);

  // Handlers behind a ref: the row context changes only with what the rows show.
  const on = useRef<RowContext["on"]["current"]>({} as RowContext["on"]["current"]);
  on.current = {
    select: props.onSelect,
    menu: (key) => setMenu(menu === key ? undefined : key),
    rename: (row) => void rename(row),
    act: (method, key) => void act(method, key),
    mark: (key, patch) => void mark(key, patch),
    order: (names) =>
      void conn.request("sessions.groups.put", { names }).catch((err) => setError(errorText(err))),
  };
  const ctx = useMemo<RowContext>(
    () => ({
      current,
      menu,
      running: props.running,
      unread: props.unread,
      lang,
      t,
      canRename,
      now: Date.now(),
      on,
    }),
    [current, menu, props.running, props.unread, lang, t, canRename, props.refresh],
  );
  // A session only the UI knows of yet (new, nothing sent) still shows, on top (none is open off the chat: "").
  const pending = useMemo<Row[]>(
    () =>
      !current || search || rows.some((r) => r.key === current)
        ? []
        : [{ key: current, sessionId: "", updatedAt: 0 }],
    [search, rows, current],
  );

  return (
    <aside class="sessions-side" aria-label={t("nav.sessions")}>
      <div class="side-head">
        {props.agents.length > 1 && (
          <select
            id="chat-agent"
            aria-label={t("chat.agent")}
            value={agent}
            onChange={(e) => props.onAgent((e.currentTarget as HTMLSelectElement).value)}
          >
            {props.agents.map((id) => (
              <option key={id} value={id}>
                {id}
              </option>
            ))}
          </select>
        )}
        <button type="button" id="new-session" onClick={props.onNew} title={t("chat.newSessionKey")}>
          {t("chat.newSession")}
        </button>
        <input
          type="search"
          id="session-search"
          placeholder={t("sessions.search")}
          value={search}
          onInput={(e) => setSearch((e.currentTarget as HTMLInputElement).value)}
        />
        {total !== undefined && (
          <div class="muted small" id="session-count">
            {t("sessions.shown", { shown: String(rows.length), total: String(total) })}
          </div>
        )}
      </div>
      {error && (
        <p class="banner error small" role="alert">
          {error}
        </p>
      )}
      <ul id="session-list" ref={listEl}>
        <Chunk rows={pending} c={ctx} />
        <GroupedPages pages={pages} c={ctx} conn={conn} />
        {next && (
          <li ref={sentinel} class="session-more-row">
            <button type="button" class="secondary" id="sessions-more" onClick={() => void load(next)}>
              {t("sessions.loadMore")}
            </button>
          </li>
        )}
      </ul>
    </aside>
  );
}
