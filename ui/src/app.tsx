import type { ComponentType } from "preact";
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import type { NavSlot } from "./components/nav-slot.js";
import { forgetCredentials, loadCredentials, saveCredentials } from "./credentials.js";
import { type Credentials, GatewayConnection, GatewayError, gatewayUrl } from "./gateway.js";
import type { MessageKey } from "./i18n/en.js";
import {
  I18nContext,
  initialLanguage,
  LANGUAGES,
  type Lang,
  loadLanguage,
  saveLanguage,
  translator,
} from "./i18n/index.js";
import { AutomationsScreen } from "./screens/automations.js";
import { ChannelsScreen } from "./screens/channels.js";
import { ChatScreen } from "./screens/chat.js";
import { ConfigScreen } from "./screens/config.js";
import { ConnectScreen } from "./screens/connect.js";
import { HealthScreen } from "./screens/health.js";
import { LogsScreen } from "./screens/logs.js";
import { MemoryScreen } from "./screens/memory.js";
import { NavSessions } from "./screens/nav-sessions.js";
import { SessionsScreen } from "./screens/sessions.js";
import { SkillsScreen } from "./screens/skills.js";
import { initialTheme, saveTheme, THEMES, type Theme } from "./theme.js";

declare const __UI_VERSION__: string | undefined;
const VERSION = typeof __UI_VERSION__ === "string" ? __UI_VERSION__ : "dev";

export interface ScreenProps {
  conn: GatewayConnection;
  /** The sessions list's place in the navigation column (the chat's list goes there). */
  nav: NavSlot;
}

const SCREENS: { id: string; label: MessageKey; component: ComponentType<ScreenProps> }[] = [
  { id: "chat", label: "nav.chat", component: ChatScreen },
  { id: "sessions", label: "nav.sessions", component: SessionsScreen },
  { id: "channels", label: "nav.channels", component: ChannelsScreen },
  { id: "automations", label: "nav.automations", component: AutomationsScreen },
  { id: "memory", label: "nav.memory", component: MemoryScreen },
  { id: "skills", label: "nav.skills", component: SkillsScreen },
  { id: "config", label: "nav.config", component: ConfigScreen },
  { id: "logs", label: "nav.logs", component: LogsScreen },
  { id: "health", label: "nav.health", component: HealthScreen },
];

/** Screens live in the hash (`#/logs`): it works under any base path and never reaches the server. */
function routeFromHash(): string {
  // A query after the screen (`#/chat?session=…`) is that screen's business.
  const id = location.hash.replace(/^#\/?/, "").split("?")[0] ?? "";
  return SCREENS.some((s) => s.id === id) ? id : "chat";
}

type Phase =
  | { name: "login"; error?: GatewayError }
  | { name: "connecting" }
  | { name: "ready"; conn: GatewayConnection }
  | { name: "reconnecting"; reason: string };

const RECONNECT_DELAYS_MS = [1000, 2000, 5000, 10_000];
/** The one layout breakpoint: below it a phone's top bar, menu drawer and sessions drawer. */
const WIDE = matchMedia("(min-width: 760px)");

export function App() {
  const [lang, setLang] = useState<Lang>(initialLanguage);
  const i18n = useMemo(() => ({ lang, t: translator(lang) }), [lang]);
  const [phase, setPhase] = useState<Phase>(() =>
    loadCredentials() ? { name: "connecting" } : { name: "login" },
  );
  const [route, setRoute] = useState(routeFromHash);
  const [theme, setTheme] = useState<Theme>(initialTheme);
  const [menu, setMenu] = useState(false);
  const [desktop, setDesktop] = useState(WIDE.matches);
  // Where the sessions list goes in the navigation column, and whether it is folded away (for every screen).
  const [slot, setSlot] = useState<HTMLElement | null>(null);
  const [folded, setFolded] = useState(false);
  const nav = { el: desktop ? slot : undefined, folded, setFolded };
  const credentials = useRef<Credentials | undefined>(loadCredentials());
  const attempt = useRef(0);
  const reconnectTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = i18n.t("app.title");
  }, [lang, i18n]);

  useEffect(() => {
    const onHash = () => {
      setRoute(routeFromHash());
      setMenu(false);
    };
    window.addEventListener("hashchange", onHash);
    WIDE.onchange = () => setDesktop(WIDE.matches);
    return () => window.removeEventListener("hashchange", onHash);
  }, []);

  const connect = async (creds: Credentials | undefined) => {
    try {
      const conn = await GatewayConnection.open(gatewayUrl(), creds, VERSION);
      attempt.current = 0;
      conn.onClosed((reason) => {
        setPhase({ name: "reconnecting", reason });
        scheduleReconnect();
      });
      setPhase({ name: "ready", conn });
      return undefined;
    } catch (err) {
      return err instanceof GatewayError
        ? err
        : new GatewayError({ code: "UNREACHABLE", message: String(err) });
    }
  };

  const scheduleReconnect = () => {
    const delay = RECONNECT_DELAYS_MS[Math.min(attempt.current++, RECONNECT_DELAYS_MS.length - 1)];
    reconnectTimer.current = setTimeout(async () => {
      const error = await connect(credentials.current);
      if (!error) return;
      if (error.code === "UNREACHABLE") {
        setPhase({ name: "reconnecting", reason: error.message });
        scheduleReconnect();
      } else setPhase({ name: "login", error });
    }, delay);
  };

  // A remembered secret connects straight away; a refusal sends the user to the form.
  useEffect(() => {
    if (phase.name !== "connecting" || !credentials.current) return;
    void connect(credentials.current).then((error) => error && setPhase({ name: "login", error }));
  }, []);

  const login = async (creds: Credentials | undefined, remember: boolean) => {
    const error = await connect(creds);
    if (error) return error;
    credentials.current = creds;
    if (creds) saveCredentials(creds, remember);
    return undefined;
  };

  const logout = () => {
    clearTimeout(reconnectTimer.current);
    forgetCredentials();
    credentials.current = undefined;
    if (phase.name === "ready") phase.conn.close();
    setPhase({ name: "login" });
  };

  const changeLang = (next: Lang) => {
    saveLanguage(next);
    void loadLanguage(next).then(() => setLang(next));
  };

  const { t } = i18n;
  // The chat fills the window (its messages scroll, the composer stays put); other screens scroll.
  const wide = route === "chat" && phase.name === "ready";
  const Screen = SCREENS.find((s) => s.id === route)?.component ?? ChatScreen;
  return (
    <I18nContext.Provider value={i18n}>
      <div class={`shell${wide ? " wide" : ""}`}>
        <header class={`topbar${menu ? " menu-open" : ""}`}>
          {phase.name === "ready" && (
            <button
              type="button"
              class="ghost icon-btn menu-toggle"
              id="menu-toggle"
              aria-label={t("app.menu")}
              aria-expanded={menu}
              onClick={() => setMenu(!menu)}
            />
          )}
          <span class="brand">{t("app.title")}</span>
          {phase.name === "ready" && (
            <nav>
              {SCREENS.map((s) => (
                <a
                  key={s.id}
                  href={`#/${s.id}`}
                  class={s.id === route ? "active" : ""}
                  aria-current={s.id === route ? "page" : undefined}
                  data-nav={s.id}
                >
                  {t(s.label)}
                </a>
              ))}
            </nav>
          )}
          {phase.name === "ready" ? (
            /* On a desktop the sessions list, under the screens: the chat's own, else one that opens Chat. */
            <div class="spacer nav-sessions">
              <button
                type="button"
                class="ghost nav-head"
                aria-expanded={!folded}
                onClick={() => setFolded(!folded)}
              >
                {t("nav.sessions")}
              </button>
              <div class="nav-slot" ref={setSlot} hidden={folded}>
                {desktop && route !== "chat" && <NavSessions conn={phase.conn} />}
              </div>
            </div>
          ) : (
            <span class="spacer" />
          )}
          <button
            type="button"
            class="ghost icon-btn"
            id="theme"
            data-choice={theme}
            title={t("app.theme")}
            aria-label={`${t("app.theme")}: ${t(`theme.${theme}`)}`}
            onClick={() => {
              const next = THEMES[(THEMES.indexOf(theme) + 1) % THEMES.length] ?? "system";
              saveTheme(next);
              setTheme(next);
            }}
          />
          <label class="lang">
            <span class="sr-only">{t("app.language")}</span>
            <select
              id="language"
              value={lang}
              onChange={(e) => changeLang((e.currentTarget as HTMLSelectElement).value as Lang)}
            >
              {Object.entries(LANGUAGES).map(([code, label]) => (
                <option key={code} value={code}>
                  {label}
                </option>
              ))}
            </select>
          </label>
          {(phase.name === "ready" || phase.name === "reconnecting") && (
            <button type="button" class="secondary" id="disconnect" onClick={logout}>
              {t("app.disconnect")}
            </button>
          )}
        </header>
        <main>
          {phase.name === "login" && <ConnectScreen initialError={phase.error} onConnect={login} />}
          {phase.name === "connecting" && (
            <p class="loading" role="status">
              {t("app.connecting")}
            </p>
          )}
          {phase.name === "reconnecting" && (
            <p class="banner warn" role="status">
              {t("app.reconnecting", { reason: phase.reason })}
            </p>
          )}
          {phase.name === "ready" && <Screen key={route} conn={phase.conn} nav={nav} />}
        </main>
      </div>
    </I18nContext.Provider>
  );
}
