import { useEffect, useState } from "preact/hooks";
import type { ScreenProps } from "../app.js";
import { useI18n } from "../i18n/index.js";
import { errorText, formatBytes, formatDuration } from "../util.js";

interface Health {
  ok: boolean;
  ready: boolean;
  failing: string[];
  version: string;
  uptimeMs: number;
  memory: { rssBytes: number; heapUsedBytes: number };
}

interface Status {
  pid: number;
  clients: number;
  gateway: { authMode?: string; bind?: string; hosts?: string[]; port?: number };
  configPath?: string;
  stateDir?: string;
  logFile?: string | null;
}

export function HealthScreen({ conn }: ScreenProps) {
  const { t } = useI18n();
  const [health, setHealth] = useState<Health | undefined>();
  const [status, setStatus] = useState<Status | undefined>();
  const [error, setError] = useState("");

  useEffect(() => {
    const load = () =>
      Promise.all([conn.request<Health>("health", {}), conn.request<Status>("status", {})])
        .then(([h, s]) => {
          setHealth(h);
          setStatus(s);
          setError("");
        })
        .catch((err) => setError(errorText(err)));
    void load();
    const timer = setInterval(load, 5000);
    return () => clearInterval(timer);
  }, [conn]);

  const rows: [string, string | number | undefined][] = health
    ? [
        [t("health.version"), health.version],
        [t("health.uptime"), formatDuration(health.uptimeMs)],
        [t("health.rss"), formatBytes(health.memory.rssBytes)],
        [t("health.heap"), formatBytes(health.memory.heapUsedBytes)],
        [t("health.pid"), status?.pid],
        [t("health.clients"), status?.clients],
        [t("health.auth"), status?.gateway.authMode],
        [
          t("health.listening"),
          status?.gateway.hosts
            ?.map((h) => `${h.includes(":") ? `[${h}]` : h}:${status.gateway.port}`)
            .join(", "),
        ],
        [t("health.configPath"), status?.configPath],
        [t("health.stateDir"), status?.stateDir],
        [t("health.logFile"), status?.logFile ?? undefined],
      ]
    : [];

  return (
    <section>
      <h1>{t("nav.health")}</h1>
      {error && (
        <p class="banner error" role="alert">
          {error}
        </p>
      )}
      {health && (
        <p class={`banner ${health.ready ? "ok" : "warn"}`} id="health-state">
          {health.ready ? t("health.ready") : t("health.notReady", { failing: health.failing.join(", ") })}
        </p>
      )}
      <dl class="facts">
        {rows
          .filter(([, value]) => value !== undefined && value !== "")
          .map(([label, value]) => (
            <div key={label}>
              <dt>{label}</dt>
              <dd>{value}</dd>
            </div>
          ))}
      </dl>
    </section>
  );
}
