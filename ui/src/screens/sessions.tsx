import { useEffect, useState } from "preact/hooks";
import type { ScreenProps } from "../app.js";
import { useI18n } from "../i18n/index.js";
import { errorText, formatTime } from "../util.js";
import { listSessions, type SessionRow, useAgents } from "./agents.js";

export function SessionsScreen({ conn }: ScreenProps) {
  const { t, lang } = useI18n();
  const agents = useAgents(conn);
  const [agentId, setAgentId] = useState<string | undefined>();
  const agent = agentId ?? agents[0] ?? "main";
  const [rows, setRows] = useState<SessionRow[] | undefined>();
  const [error, setError] = useState("");
  const [notice, setNotice] = useState("");

  const load = () =>
    listSessions(conn, agent)
      .then(setRows)
      .catch((err) => setError(errorText(err)));
  useEffect(() => void load(), [conn, agent]);

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
        <button type="button" class="secondary" onClick={() => void load()}>
          {t("common.refresh")}
        </button>
      </div>
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
