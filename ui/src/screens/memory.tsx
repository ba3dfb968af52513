import { useEffect, useState } from "preact/hooks";
import type { ScreenProps } from "../app.js";
import { useI18n } from "../i18n/index.js";
import { errorText, formatBytes } from "../util.js";

interface MemoryStatus {
  enabled: boolean;
  mode?: string;
  provider?: string;
  files: { path: string; size: number; mtimeMs: number }[];
}

interface Hit {
  path: string;
  startLine: number;
  endLine: number;
  score: number;
  snippet: string;
}

/** The default agent's memory files: list them, show one, search them (memory.status/get/search). */
export function MemoryScreen({ conn }: ScreenProps) {
  const { t } = useI18n();
  const [status, setStatus] = useState<MemoryStatus | undefined>();
  const [shown, setShown] = useState<{ path: string; text: string } | undefined>();
  const [query, setQuery] = useState("");
  const [hits, setHits] = useState<Hit[] | undefined>();
  const [error, setError] = useState("");

  const load = () =>
    conn
      .request<MemoryStatus>("memory.status", {})
      .then((s) => {
        setStatus(s);
        setError("");
      })
      .catch((err) => setError(errorText(err)));
  useEffect(() => {
    void load();
  }, [conn]);

  const show = (path: string) =>
    conn
      .request<{ path: string; text: string }>("memory.get", { path })
      .then((f) => setShown({ path: f.path, text: f.text }))
      .catch((err) => setError(errorText(err)));
  const search = (e: Event) => {
    e.preventDefault();
    if (!query.trim()) return;
    conn
      .request<{ results: Hit[] }>("memory.search", { query })
      .then((r) => setHits(r.results))
      .catch((err) => setError(errorText(err)));
  };

  return (
    <section>
      <h1>{t("nav.memory")}</h1>
      {error && (
        <p class="banner error" role="alert">
          {error}
        </p>
      )}
      {status && !status.enabled && <p class="banner warn">{t("memory.off")}</p>}
      {status?.enabled && (
        <p id="memory-mode">
          {t("memory.mode", { mode: status.mode ?? "", provider: status.provider ?? "" })}
        </p>
      )}
      <form onSubmit={search} id="memory-search">
        <input
          type="search"
          value={query}
          placeholder={t("memory.searchPlaceholder")}
          onInput={(e) => setQuery((e.target as HTMLInputElement).value)}
        />
        <button type="submit">{t("sessions.searchAction")}</button>
      </form>
      {hits && (
        <ol id="memory-hits">
          {hits.length === 0 && <li>{t("memory.noHits")}</li>}
          {hits.map((h) => (
            <li key={`${h.path}:${h.startLine}`}>
              <button type="button" class="link" onClick={() => void show(h.path)}>
                {h.path}:{h.startLine}-{h.endLine}
              </button>{" "}
              <small>{h.score}</small>
              <pre>{h.snippet}</pre>
            </li>
          ))}
        </ol>
      )}
      <h2>{t("memory.files")}</h2>
      <button type="button" onClick={() => void load()}>
        {t("common.refresh")}
      </button>
      <ul id="memory-files">
        {status?.files.length === 0 && <li>{t("memory.noFiles")}</li>}
        {status?.files.map((f) => (
          <li key={f.path}>
            <button type="button" class="link" onClick={() => void show(f.path)}>
              {f.path}
            </button>{" "}
            <small>{formatBytes(f.size)}</small>
          </li>
        ))}
      </ul>
      {shown && (
        <article id="memory-file">
          <h2>{shown.path}</h2>
          <pre>{shown.text}</pre>
        </article>
      )}
    </section>
  );
}
