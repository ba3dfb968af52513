import { useEffect, useRef, useState } from "preact/hooks";
import type { ScreenProps } from "../app.js";
import { useI18n } from "../i18n/index.js";
import { errorText, formatDuration, formatTime } from "../util.js";
import { AutomationForm, formatEvery, type Job } from "./automation-form.js";

/** One `cron.runs` entry (a started run has no status yet). */
interface Run {
  runId: string;
  action: "started" | "finished";
  runAtMs: number;
  trigger: string;
  status?: string;
  error?: string;
  summary?: string;
  durationMs?: number;
  deliveryStatus?: string;
}

/** Runs shown per job: the latest few; `openclaw cron runs` has the rest. */
const HISTORY_LIMIT = 20;

/**
 * Scheduled jobs (cron.list/add/update/remove/run/runs): list with next run and last
 * status, create and edit, enable or disable, run now, and each job's run history.
 * Refreshed by the gateway's `cron` events, so a run finishing shows without polling.
 */
export function AutomationsScreen({ conn }: ScreenProps) {
  const { t, lang } = useI18n();
  const [jobs, setJobs] = useState<Job[] | undefined>();
  const [editing, setEditing] = useState<Job | "new" | undefined>();
  const [history, setHistory] = useState<{ job: Job; runs: Run[] } | undefined>();
  const [error, setError] = useState("");
  const [notice, setNotice] = useState("");

  const load = () =>
    conn
      .request<{ jobs: Job[] }>("cron.list", { includeDisabled: true })
      .then((r) => {
        setJobs(r.jobs);
        setError("");
      })
      .catch((err) => setError(errorText(err)));
  // The history being shown (or loading), and which of its loads is the latest. Set before the
  // request goes out, so the `cron` listener (subscribed since mount) already reloads it for a run
  // that finishes while it loads; an older answer arriving late never overwrites a newer one.
  const openRuns = useRef<{ job: Job; seq: number } | undefined>(undefined);
  const showRuns = (job: Job) => {
    const seq = (openRuns.current?.seq ?? 0) + 1;
    openRuns.current = { job, seq };
    return conn
      .request<{ entries: Run[] }>("cron.runs", { id: job.id, limit: HISTORY_LIMIT })
      .then((r) => {
        if (openRuns.current?.seq === seq) setHistory({ job, runs: r.entries });
      })
      .catch((err) => setError(errorText(err)));
  };

  useEffect(() => {
    void load();
    return conn.on(({ event, payload }) => {
      if (event !== "cron") return;
      void load();
      // A run of the job whose history is open (or opening) refreshes that history too.
      const open = openRuns.current;
      if (open && (payload as { jobId?: string }).jobId === open.job.id) void showRuns(open.job);
    });
  }, [conn]);

  const act = (method: string, params: Record<string, unknown>, done?: string) =>
    conn
      .request(method, params)
      .then(() => {
        if (done) setNotice(done);
        return load();
      })
      .catch((err) => setError(errorText(err)));

  const scheduleText = (s: Job["schedule"]) =>
    s.kind === "at"
      ? t("auto.once", { at: formatTime(s.at, lang) })
      : s.kind === "every"
        ? t("auto.everyText", { every: formatEvery(s.everyMs) })
        : `${s.expr}${s.tz ? ` (${s.tz})` : ""}`;

  return (
    <section>
      <h1>{t("nav.automations")}</h1>
      <div class="toolbar">
        <button type="button" id="auto-new" onClick={() => setEditing("new")}>
          {t("auto.new")}
        </button>
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
      {editing && (
        <AutomationForm
          key={editing === "new" ? "new" : editing.id}
          conn={conn}
          {...(editing === "new" ? {} : { job: editing })}
          onDone={(saved) => {
            setEditing(undefined);
            if (saved) void load();
          }}
        />
      )}
      {!jobs && !error && (
        <p class="loading" role="status">
          {t("app.loading")}
        </p>
      )}
      {jobs?.length === 0 && (
        <div class="empty-state">
          <p>{t("auto.none")}</p>
          <button type="button" class="secondary" onClick={() => setEditing("new")}>
            {t("auto.new")}
          </button>
        </div>
      )}
      {jobs && jobs.length > 0 && (
        <table id="automations-table">
          <thead>
            <tr>
              <th>{t("auto.name")}</th>
              <th>{t("auto.schedule")}</th>
              <th>{t("auto.nextRun")}</th>
              <th>{t("auto.lastStatus")}</th>
              <th>{t("auto.enabled")}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {jobs.map((job) => (
              <tr key={job.id} data-id={job.id}>
                <td>{job.name}</td>
                <td>{scheduleText(job.schedule)}</td>
                <td>{job.state.nextRunAtMs ? formatTime(job.state.nextRunAtMs, lang) : "—"}</td>
                <td title={job.state.lastError ?? ""}>
                  {job.state.runningAtMs ? t("auto.running") : (job.state.lastStatus ?? "—")}
                </td>
                <td>
                  <input
                    type="checkbox"
                    class="auto-enabled"
                    aria-label={t("auto.enabled")}
                    checked={job.enabled}
                    onChange={(e) =>
                      void act("cron.update", {
                        id: job.id,
                        patch: { enabled: (e.currentTarget as HTMLInputElement).checked },
                      })
                    }
                  />
                </td>
                <td class="row-actions">
                  <button
                    type="button"
                    class="auto-run"
                    onClick={() => void act("cron.run", { id: job.id, mode: "force" }, t("auto.queued"))}
                  >
                    {t("auto.runNow")}
                  </button>
                  <button type="button" class="secondary auto-edit" onClick={() => setEditing(job)}>
                    {t("auto.edit")}
                  </button>
                  <button type="button" class="secondary auto-history" onClick={() => void showRuns(job)}>
                    {t("auto.history")}
                  </button>
                  <button
                    type="button"
                    class="danger"
                    onClick={() => void act("cron.remove", { id: job.id })}
                  >
                    {t("auto.remove")}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {history && (
        <article id="automation-runs">
          <h2>{t("auto.runsOf", { name: history.job.name })}</h2>
          {history.runs.length === 0 && <p class="muted">{t("auto.noRuns")}</p>}
          <ul>
            {history.runs.map((r) => (
              <li key={`${r.runId}:${r.action}`} data-status={r.status ?? "running"}>
                {formatTime(r.runAtMs, lang)} · {r.trigger} · <strong>{r.status ?? t("auto.running")}</strong>
                {r.durationMs !== undefined && ` · ${formatDuration(r.durationMs)}`}
                {r.deliveryStatus && ` · ${r.deliveryStatus}`}
                {(r.error ?? r.summary) && <div class="muted small">{r.error ?? r.summary}</div>}
              </li>
            ))}
          </ul>
        </article>
      )}
    </section>
  );
}
