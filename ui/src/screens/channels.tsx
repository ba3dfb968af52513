import { useEffect, useState } from "preact/hooks";
import type { ScreenProps } from "../app.js";
import { type MessageKey, useI18n } from "../i18n/index.js";
import { errorText } from "../util.js";

interface ChannelReport {
  channel: string;
  accountId: string;
  enabled: boolean;
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
      {channels?.length === 0 && <p class="muted">{t("channels.none")}</p>}
      <div class="cards">
        {channels?.map((c) => (
          <article class="card" key={c.channel} data-channel={c.channel}>
            <h2>{c.channel}</h2>
            <p>
              <span class={`dot ${c.connected ? "ok" : c.state === "error" ? "bad" : "idle"}`} />
              {c.enabled ? (STATE_KEYS[c.state] ? t(STATE_KEYS[c.state]!) : c.state) : t("channels.disabled")}
            </p>
            {c.botName && <p class="muted">{t("channels.bot", { name: c.botName })}</p>}
            {c.guildCount !== undefined && (
              <p class="muted">{t("channels.guilds", { count: c.guildCount })}</p>
            )}
            {c.lastError && <p class="banner error small">{c.lastError}</p>}
            {c.state !== "stopped" && (
              <button type="button" class="secondary" onClick={() => void logout(c.channel)}>
                {t("channels.logout")}
              </button>
            )}
          </article>
        ))}
      </div>
      {/* The QR is shown in the terminal for now (web.login.start exists for a UI later). */}
      <p class="muted" id="whatsapp-note">
        {t("channels.whatsappUnavailable")}
      </p>
    </section>
  );
}
