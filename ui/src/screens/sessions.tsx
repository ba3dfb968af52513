import { useEffect, useState } from "preact/hooks";
import type { ScreenProps } from "../app.js";
import { useI18n } from "../i18n/index.js";
import { errorText, formatTime } from "../util.js";
import { listSessionPage, type SessionPage, useAgents } from "./agents.js";

/** Rows per page: one screen of a table, whatever the store holds. */
const PAGE_SIZE = 50;

export function SessionsScreen({ conn }: ScreenProps) {
  const { t, lang } = useI18n();
  const agents = useAgents(conn);
  const [agentId, setAgentId] = useState<string | undefined>();
  const agent = agentId ?? agents[0] ?? "main";
  const [page, setPage] = useState<SessionPage | undefined>();
  const rows = page?.sessions;
  // Cursors of the pages before this one (keyset paging: "newer" pops, "older" pushes).
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [search, setSearch] = useState("");
  const [error, setError] = useState("");
  const [notice, setNotice] = useState("");
  const cursor = cursors.at(-1);

  const load = () =>
    listSessionPage(conn, agent, { limit: PAGE_SIZE, cursor, search: search.trim() || undefined })
      .then(setPage)
      .catch((err) => setError(errorText(err)));
  useEffect(() => void load(), [conn, agent, cursor, search]);
  useEffect(() => setCursors([undefined]), [agent, search]);
  const first = (cursors.length - 1) * PAGE_SIZE;

  const act = async (method: "sessions.reset" | "sessions.delete", key: string) => {
    const question =
      method === "sessions.reset"
        ? t("sessions.confirmReset", { key })
        : t("sessions.confirmDelete", { key });
    if (!window.confirm(question)) return;
    setError("");
    try {
      await conn.request(method, { key });
      setNotice(
        method === "sessions.reset" ? t("sessions.wasReset", { key }) : t("sessions.wasDeleted", { key }),
      );
      await load();
    } catch (err) {
      setError(errorText(err));
    }
  };

  return (
    <section>
      <div class="toolbar">
        <h1>{t("nav.sessions")}</h1>
        <label>
          {t("chat.agent")}
          <select value={agent} onChange={(e) => setAgentId((e.currentTarget as HTMLSelectElement).value)}>
            {agents.map((id) => (
              <option key={id} value={id}>
                {id}
              </option>
            ))}
          </select>
        </label>
        <input
          type="search"
          id="sessions-search"
          placeholder={t("sessions.search")}
          value={search}
          onInput={(e) => setSearch((e.currentTarget as HTMLInputElement).value)}
        />
        <button type="button" class="secondary" onClick={() => void load()}>
          {t("common.refresh")}
        </button>
      </div>
      {page && page.totalCount > 0 && (
        <div class="toolbar" id="sessions-pager">
          <span class="muted">
            {t("sessions.range", {
              from: String(first + 1),
              to: String(first + page.sessions.length),
              total: String(page.totalCount),
            })}
          </span>
          <button
            type="button"
            class="secondary"
            disabled={cursors.length === 1}
            onClick={() => setCursors(cursors.slice(0, -1))}
          >
            {t("sessions.newer")}
          </button>
          <button
            type="button"
            class="secondary"
            disabled={!page.hasMore}
            onClick={() => setCursors([...cursors, page.nextCursor])}
          >
            {t("sessions.older")}
          </button>
        </div>
      )}
      {notice && <p class="banner ok">{notice}</p>}
      {error && (
        <p class="banner error" role="alert">
          {error}
        </p>
      )}
      {rows?.length === 0 && <p class="muted">{t("sessions.none")}</p>}
      {rows && rows.length > 0 && (
        <table id="sessions-table">
          <thead>
            <tr>
              <th>{t("sessions.key")}</th>
              <th>{t("sessions.updated")}</th>
              <th>{t("sessions.tokens")}</th>
              <th>{t("sessions.model")}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.key} data-key={row.key}>
                <td>
                  <code>{row.key}</code>
                  {row.displayName && <div class="muted small">{row.displayName}</div>}
                </td>
                <td>{formatTime(row.updatedAt, lang)}</td>
                <td>{row.totalTokens ?? ""}</td>
                <td>{row.model ?? ""}</td>
                <td class="row-actions">
                  <button type="button" class="secondary" onClick={() => void act("sessions.reset", row.key)}>
                    {t("sessions.reset")}
                  </button>
                  <button type="button" class="danger" onClick={() => void act("sessions.delete", row.key)}>
                    {t("sessions.delete")}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
