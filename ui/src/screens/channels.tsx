import type { ComponentType } from "preact";
import { useEffect, useState } from "preact/hooks";
import type { ScreenProps } from "../app.js";
import { loadLanguage, type MessageKey, useI18n } from "../i18n/index.js";
import { errorText } from "../util.js";
import type { SetupProps } from "./channel-setup/setup.js";
import { WhatsAppLogin } from "./whatsapp-login.js";

/** The channels guided setup knows (its specs, in the lazily loaded chunk, say how). */
const GUIDED = new Set(["discord", "telegram", "slack", "signal", "whatsapp"]);

let setupChunk: Promise<ComponentType<SetupProps>> | undefined;
/** Guided setup is its own chunk (steps, checks and three languages of text): loaded on first use. */
const loadSetup = () => (setupChunk ??= import("./channel-setup/setup.js").then((m) => m.ChannelSetup));

interface ChannelReport {
  channel: string;
  accountId: string;
  enabled: boolean;
  /** False when openclaw.json has no section for the channel. */
  configured?: boolean;
  state: string;
  connected: boolean;
  botName?: string;
  guildCount?: number;
  lastError?: string;
}

const STATE_KEYS: Record<string, MessageKey> = {
  stopped: "channels.state.stopped",
  connecting: "channels.state.connecting",
  ready: "channels.state.ready",
  error: "channels.state.error",
};

export function ChannelsScreen({ conn }: ScreenProps) {
  const { t } = useI18n();
  const [channels, setChannels] = useState<ChannelReport[] | undefined>();
  const [error, setError] = useState("");

  const load = () =>
    conn
      .request<{ channels: ChannelReport[] }>("channels.status", {})
      .then((res) => setChannels(res.channels))
      .catch((err) => setError(errorText(err)));
  useEffect(() => {
    void load();
    const timer = setInterval(load, 5000);
    return () => clearInterval(timer);
  }, [conn]);

  const logout = async (channel: string) => {
    if (!window.confirm(t("channels.confirmLogout", { channel }))) return;
    try {
      await conn.request("channels.logout", { channel });
      await load();
    } catch (err) {
      setError(errorText(err));
    }
  };

  return (
    <section>
      <h1>{t("nav.channels")}</h1>
      {error && (
        <p class="banner error" role="alert">
          {error}
        </p>
      )}
      {!channels && !error && (
        <p class="loading" role="status">
          {t("app.loading")}
        </p>
      )}
      {channels?.length === 0 && (
        <div class="empty-state">
          <p>{t("channels.none")}</p>
          <a href="#/config">{t("nav.config")}</a>
        </div>
      )}
      <div class="cards">
        {channels?.map((c) => (
          <ChannelCard key={c.channel} channel={c} conn={conn} onLogout={logout} onChange={load} />
        ))}
      </div>
      {channels && <PairingRequests conn={conn} channels={channels.map((c) => c.channel)} />}
    </section>
  );
}

function ChannelCard({
  channel: c,
  conn,
  onLogout,
  onChange,
}: {
  channel: ChannelReport;
  conn: ScreenProps["conn"];
  onLogout: (channel: string) => Promise<void>;
  onChange: () => Promise<void>;
}) {
  const { t, lang } = useI18n();
  const [Setup, setSetup] = useState<ComponentType<SetupProps> | undefined>();
  const [loadError, setLoadError] = useState("");
  const openSetup = () =>
    loadSetup()
      .then(async (component) => {
        await loadLanguage(lang); // the flow's own strings, in the page's language
        setSetup(() => component);
      })
      .catch((err) => setLoadError(errorText(err)));
  // Red only for a failure; "waiting for the scan" or "not linked yet" are steps.
  const note = c.lastError && (
    <p class={c.state === "error" ? "banner error small" : "muted small"}>{c.lastError}</p>
  );
  // While setting WhatsApp up, its QR login shows inside the setup flow.
  const whatsappLogin = c.channel === "whatsapp" && c.enabled && !Setup;
  return (
    <article class={Setup ? "card setup-open" : "card"} data-channel={c.channel}>
      <h2>{c.channel}</h2>
      <p>
        <span class={`dot ${c.connected ? "ok" : c.state === "error" ? "bad" : "idle"}`} />
        {c.configured === false
          ? t("channels.notConfigured")
          : c.enabled
            ? STATE_KEYS[c.state]
              ? t(STATE_KEYS[c.state]!)
              : c.state
            : t("channels.disabled")}
      </p>
      {c.botName && <p class="muted">{t("channels.bot", { name: c.botName })}</p>}
      {c.guildCount !== undefined && <p class="muted">{t("channels.guilds", { count: c.guildCount })}</p>}
      {!whatsappLogin && note}
      {/* An unlinked WhatsApp has nothing to log out of, and stopping it would end a QR scan. */}
      {c.state !== "stopped" && (!whatsappLogin || c.connected) && (
        <button type="button" class="secondary" onClick={() => void onLogout(c.channel)}>
          {t("channels.logoutButton")}
        </button>
      )}
      {whatsappLogin && (
        <WhatsAppLogin conn={conn} connected={c.connected} note={note} onChange={() => void onChange()} />
      )}
      {c.configured === false && GUIDED.has(c.channel) && !Setup && (
        <button type="button" id={`setup-${c.channel}-open`} onClick={() => void openSetup()}>
          {t("channels.setUp")}
        </button>
      )}
      {loadError && (
        <p class="banner error small" role="alert">
          {loadError}
        </p>
      )}
      {Setup && (
        <Setup
          conn={conn}
          channel={c.channel as SetupProps["channel"]}
          report={c}
          refresh={onChange}
          close={() => setSetup(undefined)}
        />
      )}
      {c.channel === "whatsapp" && c.configured !== false && !c.enabled && (
        <p class="muted small" id="whatsapp-note">
          {t("whatsapp.enableFirst")}
        </p>
      )}
    </article>
  );
}

interface PairingRow {
  channel: string;
  id: string;
  code: string;
  createdAt: string;
  meta?: { name?: string };
}

/**
 * Strangers who asked to talk to the assistant (DM pairing), approved with one click;
 * for every channel the gateway reports (plugin channels included).
 */
function PairingRequests({ conn, channels }: Pick<ScreenProps, "conn"> & { channels: string[] }) {
  const { t } = useI18n();
  const [rows, setRows] = useState<PairingRow[] | undefined>();
  const [notice, setNotice] = useState<{ ok: boolean; text: string } | undefined>();

  const load = async () => {
    try {
      const lists = await Promise.all(
        channels.map((channel) =>
          conn
            .request<{ requests: Omit<PairingRow, "channel">[] }>("pairing.list", { channel })
            .then((res) => res.requests.map((r) => ({ ...r, channel }))),
        ),
      );
      setRows(lists.flat());
    } catch (err) {
      setNotice({ ok: false, text: errorText(err) });
    }
  };
  // Status is polled; reload the requests only when the set of channels changes.
  const names = channels.join(",");
  useEffect(() => {
    void load();
  }, [conn, names]);

  const approve = async (row: PairingRow) => {
    try {
      await conn.request("pairing.approve", { channel: row.channel, code: row.code });
      setNotice({ ok: true, text: t("channels.pairing.approved", { name: row.meta?.name ?? row.id }) });
      await load();
    } catch (err) {
      setNotice({ ok: false, text: errorText(err) });
    }
  };

  return (
    <section id="pairing">
      <h2>{t("channels.pairing.title")}</h2>
      {notice && (
        <p class={`banner ${notice.ok ? "ok" : "error"}`} role="status">
          {notice.text}
        </p>
      )}
      {rows?.length === 0 && <p class="muted">{t("channels.pairing.none")}</p>}
      {rows && rows.length > 0 && (
        <table>
          <tbody>
            {rows.map((r) => (
              <tr key={`${r.channel}:${r.code}`} data-code={r.code}>
                <td>{r.channel}</td>
                <td>
                  {r.meta?.name ?? ""} ({r.id})
                </td>
                <td>
                  <code>{r.code}</code>
                </td>
                <td>
                  <button type="button" onClick={() => void approve(r)}>
                    {t("channels.pairing.approve")}
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
