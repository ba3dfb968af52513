import { useEffect, useState } from "preact/hooks";
import type { GatewayConnection } from "../gateway.js";
import { type MessageKey, useI18n } from "../i18n/index.js";
import { errorText } from "../util.js";

interface McpServerStatus {
  name: string;
  transport: string;
  state: "starting" | "ready" | "restarting" | "stopped" | "disabled";
  tools: number;
  restarts: number;
  error?: string;
}

const STATE_LABEL: Record<McpServerStatus["state"], MessageKey> = {
  starting: "mcp.state.starting",
  ready: "mcp.state.ready",
  restarting: "mcp.state.restarting",
  stopped: "mcp.state.stopped",
  disabled: "mcp.state.disabled",
};

/**
 * The MCP section of the config screen: each `mcp.servers` entry with its transport,
 * state and tool count (mcp.status). The definitions are edited in the form below.
 * `version` changes after a save, so the list follows the edit.
 */
export function McpServers({ conn, version }: { conn: GatewayConnection; version: string | undefined }) {
  const { t } = useI18n();
  const [servers, setServers] = useState<McpServerStatus[] | undefined>();
  const [error, setError] = useState("");
  const load = () =>
    conn
      .request<{ servers: McpServerStatus[] }>("mcp.status", {})
      .then((r) => {
        setServers(r.servers);
        setError("");
      })
      .catch((err) => setError(errorText(err)));
  useEffect(() => {
    void load();
  }, [conn, version]);

  return (
    <section class="mcp" id="mcp-servers">
      <div class="toolbar">
        <h2>{t("mcp.title")}</h2>
        <button type="button" class="secondary" onClick={() => void load()}>
          {t("common.refresh")}
        </button>
      </div>
      {error && <p class="banner error">{error}</p>}
      {servers && servers.length === 0 && <p class="muted small">{t("mcp.none")}</p>}
      {servers && servers.length > 0 && (
        <table id="mcp-table">
          <thead>
            <tr>
              <th>{t("mcp.server")}</th>
              <th>{t("mcp.transport")}</th>
              <th>{t("mcp.status")}</th>
              <th>{t("mcp.tools")}</th>
            </tr>
          </thead>
          <tbody>
            {servers.map((s) => (
              <tr key={s.name} data-server={s.name} title={s.error}>
                <td>{s.name}</td>
                <td>{s.transport}</td>
                <td data-state={s.state}>
                  {t(STATE_LABEL[s.state])}
                  {s.error ? ` — ${s.error}` : ""}
                </td>
                <td data-tools>{s.tools}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
