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
  /** Servers with `auth: "oauth"` only. */
  auth?: "signed-in" | "needs-sign-in" | "expired";
}

const STATE_LABEL: Record<McpServerStatus["state"], MessageKey> = {
  starting: "mcp.state.starting",
  ready: "mcp.state.ready",
  restarting: "mcp.state.restarting",
  stopped: "mcp.state.stopped",
  disabled: "mcp.state.disabled",
};

/** `mcp.authLogin`'s answer when the provider's page must be opened. */
interface SignIn {
  authorizationUrl: string;
  expiresAt: number;
}

/** How often the list is read again while a sign-in tab is open (until it says signed in). */
const SIGN_IN_POLL_MS = 2000;

/**
 * The MCP section of the config screen: each `mcp.servers` entry with its transport,
 * state and tool count (mcp.status). The definitions are edited in the form below.
 * `version` changes after a save, so the list follows the edit. An `auth: "oauth"` server
 * gets Sign in (mcp.authLogin: the provider's page in a new tab, which returns to the
 * gateway) or Sign out (mcp.authLogout).
 */
export function McpServers({ conn, version }: { conn: GatewayConnection; version: string | undefined }) {
  const { t } = useI18n();
  const [servers, setServers] = useState<McpServerStatus[] | undefined>();
  const [error, setError] = useState("");
  /** The sign-in whose tab is open: `mcp.authLogin`'s answer and the server's name. */
  const [pending, setPending] = useState<SignIn & { name: string }>();
  const fail = (err: unknown) => setError(errorText(err));
  const load = () =>
    conn
      .request<{ servers: McpServerStatus[] }>("mcp.status", {})
      .then((r) => {
        setServers(r.servers);
        setError("");
        setPending((p) => (r.servers.find((s) => s.name === p?.name)?.auth === "signed-in" ? undefined : p));
      })
      .catch(fail);
  useEffect(() => {
    void load();
  }, [conn, version]);
  useEffect(() => {
    if (!pending) return;
    const timer = setInterval(
      () => (Date.now() > pending.expiresAt ? setPending(undefined) : load()),
      SIGN_IN_POLL_MS,
    );
    return () => clearInterval(timer);
  }, [pending]);
  const signIn = (name: string) =>
    conn
      .request<Partial<SignIn>>("mcp.authLogin", {
        serverName: name,
        origin: location.origin,
      })
      .then((r) => {
        if (!r.authorizationUrl) return load();
        window.open(r.authorizationUrl, "_blank", "noopener");
        setPending({ ...(r as SignIn), name });
      })
      .catch(fail);
  const signOut = (name: string) => conn.request("mcp.authLogout", { serverName: name }).then(load, fail);

  return (
    <section class="mcp" id="mcp-servers">
      <div class="toolbar">
        <h2>{t("config.section.mcp")}</h2>
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
              <th>{t("sessions.state")}</th>
              <th>{t("config.section.tools")}</th>
            </tr>
          </thead>
          <tbody>
            {servers.map((s) => (
              <tr key={s.name} data-server={s.name} title={s.error}>
                <td>
                  {s.name}
                  {s.auth && s.state !== "disabled" && (
                    <div class="mcp-auth" data-auth={s.auth}>
                      <span>{t(`mcp.auth.${s.auth}`)}</span>
                      {s.auth === "signed-in" ? (
                        <button type="button" class="secondary" onClick={() => void signOut(s.name)}>
                          {t("mcp.signOut")}
                        </button>
                      ) : (
                        <button type="button" onClick={() => void signIn(s.name)}>
                          {t("mcp.signIn")}
                        </button>
                      )}
                      {pending?.name === s.name && (
                        <a href={pending.authorizationUrl} target="_blank" rel="noopener noreferrer">
                          {t("mcp.signInLink")}
                        </a>
                      )}
                    </div>
                  )}
                </td>
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
