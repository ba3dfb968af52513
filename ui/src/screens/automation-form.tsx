import { useState } from "preact/hooks";
import type { GatewayConnection } from "../gateway.js";
import { useI18n } from "../i18n/index.js";
import { errorText } from "../util.js";

/** A job as `cron.list` answers it (OpenClaw's shape; only what this screen reads). */
export interface Job {
  id: string;
  name: string;
  enabled: boolean;
  schedule:
    | { kind: "at"; at: string }
    | { kind: "every"; everyMs: number }
    | { kind: "cron"; expr: string; tz?: string };
  payload: { kind: "agentTurn"; message: string } | { kind: "systemEvent"; text: string };
  delivery?: { mode: "none" | "announce"; channel?: string; to?: string };
  state: { nextRunAtMs?: number; lastStatus?: string; lastError?: string; runningAtMs?: number };
}

type Kind = Job["schedule"]["kind"];

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `10m`, `2h`, `1d` → ms (the CLI's `--every`); undefined when it is not one. */
export function parseEvery(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*([smhd])$/i.exec(text.trim());
  return m ? Math.round(Number(m[1]) * UNIT_MS[m[2]!.toLowerCase()]!) : undefined;
}

/** ms → the largest whole unit (`90m`, `2h`). */
export function formatEvery(ms: number): string {
  for (const unit of ["d", "h", "m"]) if (ms % UNIT_MS[unit]! === 0) return `${ms / UNIT_MS[unit]!}${unit}`;
  return `${ms / 1000}s`;
}

/** An ISO time as the `datetime-local` input's local `YYYY-MM-DDTHH:MM`. */
function toLocalInput(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

interface Draft {
  name: string;
  kind: Kind;
  at: string;
  every: string;
  expr: string;
  tz: string;
  message: string;
  channel: string;
  to: string;
}

function draftOf(job: Job | undefined): Draft {
  const s = job?.schedule;
  return {
    name: job?.name ?? "",
    kind: s?.kind ?? "every",
    at: s?.kind === "at" ? toLocalInput(s.at) : "",
    every: s?.kind === "every" ? formatEvery(s.everyMs) : "1h",
    expr: s?.kind === "cron" ? s.expr : "0 7 * * 1-5",
    tz: s?.kind === "cron" ? (s.tz ?? "") : Intl.DateTimeFormat().resolvedOptions().timeZone,
    message: job ? (job.payload.kind === "agentTurn" ? job.payload.message : job.payload.text) : "",
    channel: job?.delivery?.mode === "announce" ? (job.delivery.channel ?? "") : "",
    to: job?.delivery?.mode === "announce" ? (job.delivery.to ?? "") : "",
  };
}

/** Create (no `job`) or edit a job: schedule, message and where the reply is announced. */
export function AutomationForm(props: {
  conn: GatewayConnection;
  job?: Job;
  onDone: (saved: boolean) => void;
}) {
  const { t } = useI18n();
  const [d, setD] = useState<Draft>(() => draftOf(props.job));
  const [error, setError] = useState("");
  const set = (field: keyof Draft) => (e: Event) =>
    setD({ ...d, [field]: (e.currentTarget as HTMLInputElement).value });

  const schedule = () => {
    if (d.kind === "at") {
      const ms = Date.parse(d.at);
      if (Number.isNaN(ms)) throw new Error(t("auto.error.at"));
      return { kind: "at", at: new Date(ms).toISOString() };
    }
    if (d.kind === "every") {
      const everyMs = parseEvery(d.every);
      if (!everyMs) throw new Error(t("auto.error.every"));
      return { kind: "every", everyMs };
    }
    return { kind: "cron", expr: d.expr.trim(), ...(d.tz.trim() ? { tz: d.tz.trim() } : {}) };
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    try {
      if (!d.message.trim()) throw new Error(t("auto.error.message"));
      const systemEvent = props.job?.payload.kind === "systemEvent";
      const delivery = d.channel.trim()
        ? { mode: "announce", channel: d.channel.trim(), ...(d.to.trim() ? { to: d.to.trim() } : {}) }
        : { mode: "none" };
      const fields = {
        ...(d.name.trim() ? { name: d.name.trim() } : {}),
        schedule: schedule(),
        payload: systemEvent
          ? { kind: "systemEvent", text: d.message }
          : { kind: "agentTurn", message: d.message },
        ...(systemEvent ? {} : { delivery }),
      };
      if (props.job) await props.conn.request("cron.update", { id: props.job.id, patch: fields });
      else await props.conn.request("cron.add", fields);
      props.onDone(true);
    } catch (err) {
      setError(errorText(err));
    }
  };

  return (
    <form id="automation-form" class="card" onSubmit={submit}>
      <h2>{props.job ? t("auto.edit") : t("auto.new")}</h2>
      {error && (
        <p class="banner error" role="alert">
          {error}
        </p>
      )}
      <div class="field">
        <label for="auto-name">{t("auto.name")}</label>
        <input id="auto-name" value={d.name} onInput={set("name")} />
      </div>
      <div class="field">
        <label for="auto-kind">{t("auto.schedule")}</label>
        <select id="auto-kind" value={d.kind} onChange={set("kind")}>
          <option value="at">{t("auto.kind.at")}</option>
          <option value="every">{t("auto.kind.every")}</option>
          <option value="cron">{t("auto.kind.cron")}</option>
        </select>
      </div>
      {d.kind === "at" && (
        <div class="field">
          <label for="auto-at">{t("auto.at")}</label>
          <input id="auto-at" type="datetime-local" value={d.at} onInput={set("at")} />
        </div>
      )}
      {d.kind === "every" && (
        <div class="field">
          <label for="auto-every">{t("auto.every")}</label>
          <input id="auto-every" value={d.every} placeholder="10m, 2h, 1d" onInput={set("every")} />
        </div>
      )}
      {d.kind === "cron" && (
        <>
          <div class="field">
            <label for="auto-expr">{t("auto.expr")}</label>
            <input id="auto-expr" value={d.expr} onInput={set("expr")} />
          </div>
          <div class="field">
            <label for="auto-tz">{t("auto.tz")}</label>
            <input id="auto-tz" value={d.tz} placeholder="Europe/Vienna" onInput={set("tz")} />
          </div>
        </>
      )}
      <div class="field">
        <label for="auto-message">{t("auto.message")}</label>
        <textarea id="auto-message" rows={3} value={d.message} onInput={set("message")} />
      </div>
      {props.job?.payload.kind !== "systemEvent" && (
        <div class="field">
          <label for="auto-channel">{t("auto.delivery")}</label>
          <p class="toolbar">
            <input
              id="auto-channel"
              value={d.channel}
              placeholder="telegram, discord…"
              onInput={set("channel")}
            />
            <input id="auto-to" value={d.to} placeholder={t("auto.to")} onInput={set("to")} />
          </p>
        </div>
      )}
      <p class="row-actions">
        <button type="submit">{t("auto.save")}</button>
        <button type="button" class="secondary" onClick={() => props.onDone(false)}>
          {t("auto.cancel")}
        </button>
      </p>
    </form>
  );
}
