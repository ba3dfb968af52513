import { useEffect, useRef, useState } from "preact/hooks";
import type { ScreenProps } from "../app.js";
import { useI18n } from "../i18n/index.js";
import { errorText } from "../util.js";

interface LogLine {
  n: number;
  time: string;
  level: string;
  subsystem: string;
  msg: string;
}

const LEVELS = ["debug", "info", "warn", "error"] as const;
const POLL_MS = 2000;
const KEEP_LINES = 1000;

let lineNumber = 0;

/** The gateway's log file holds one JSON record per line; anything else is shown as is. */
function parseLine(raw: string): LogLine {
  try {
    const r = JSON.parse(raw) as Partial<LogLine>;
    return {
      n: lineNumber++,
      time: r.time ?? "",
      level: r.level ?? "info",
      subsystem: r.subsystem ?? "",
      msg: typeof r.msg === "string" ? r.msg : raw,
    };
  } catch {
    return { n: lineNumber++, time: "", level: "info", subsystem: "", msg: raw };
  }
}

export function LogsScreen({ conn }: ScreenProps) {
  const { t } = useI18n();
  const [lines, setLines] = useState<LogLine[]>([]);
  const [level, setLevel] = useState<(typeof LEVELS)[number]>("info");
  const [file, setFile] = useState<string | null>(null);
  const [error, setError] = useState("");
  const [follow, setFollow] = useState(true);
  const endRef = useRef<HTMLDivElement>(null);

  // Polls with the byte cursor of the previous answer, so no line is repeated or skipped.
  useEffect(() => {
    let cursor: number | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const poll = async () => {
      try {
        const res = await conn.request<{
          file: string | null;
          cursor: number;
          lines: string[];
          reset?: boolean;
        }>("logs.tail", cursor === undefined ? { limit: 500 } : { cursor });
        if (stopped) return;
        cursor = res.cursor;
        setFile(res.file);
        setError("");
        const fresh = res.lines.map(parseLine);
        setLines((old) => (res.reset ? fresh : [...old, ...fresh]).slice(-KEEP_LINES));
      } catch (err) {
        if (!stopped) setError(errorText(err));
      }
      if (!stopped) timer = setTimeout(poll, POLL_MS);
    };
    void poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [conn]);

  useEffect(() => {
    if (follow) endRef.current?.scrollIntoView?.({ block: "end" });
  }, [lines, follow]);

  const minimum = LEVELS.indexOf(level);
  const shown = lines.filter((l) => LEVELS.indexOf(l.level as (typeof LEVELS)[number]) >= minimum);

  return (
    <section>
      <div class="toolbar">
        <h1>{t("nav.logs")}</h1>
        <label>
          {t("logs.level")}
          <select
            id="log-level"
            value={level}
            onChange={(e) =>
              setLevel((e.currentTarget as HTMLSelectElement).value as (typeof LEVELS)[number])
            }
          >
            {LEVELS.map((l) => (
              <option key={l} value={l}>
                {l}
              </option>
            ))}
          </select>
        </label>
        <label class="check">
          <input
            type="checkbox"
            checked={follow}
            onChange={(e) => setFollow((e.currentTarget as HTMLInputElement).checked)}
          />
          {t("logs.follow")}
        </label>
        <button type="button" class="secondary" onClick={() => setLines([])}>
          {t("logs.clear")}
        </button>
      </div>
      {file === null && <p class="muted">{t("logs.noFile")}</p>}
      {file && <p class="muted small">{t("logs.file", { file })}</p>}
      {error && (
        <p class="banner error" role="alert">
          {error}
        </p>
      )}
      <div class="logs" id="log-lines">
        {shown.map((l) => (
          <div key={l.n} class={`log ${l.level}`}>
            <span class="time">{l.time.slice(11, 23)}</span>
            <span class="level">{l.level}</span>
            {l.subsystem && <span class="sub">[{l.subsystem}]</span>}
            <span class="text">{l.msg}</span>
          </div>
        ))}
        <div ref={endRef} />
      </div>
    </section>
  );
}
