/**
 * A Sessions-page row's drawer (OpenClaw's Threads row details): who and where, when,
 * the model that last answered, how full its context is, whether a run is going and for
 * how long, and the session's own model, thinking level and Fast mode ("Default (…)"
 * clears the choice: `null`), each applied at once with `sessions.patch`.
 */
import { useEffect, useState } from "preact/hooks";
import { Stamp } from "../components/time.js";
import type { GatewayConnection } from "../gateway.js";
import { type MessageKey, useI18n } from "../i18n/index.js";
import { errorText } from "../util.js";
import type { SessionRow } from "./agents.js";
import {
  type FastFacts,
  type FastMode,
  ModelOptions,
  type ModelRow,
  refOf,
  useModels,
} from "./chat-model-picker.js";
import { channelOf } from "./session-row.js";

export type Row = SessionRow & {
  createdAt?: number;
  label?: string;
  archived?: boolean;
  kind?: string;
  isMain?: boolean;
  hasActiveRun?: boolean;
  agentId?: string;
  modelProvider?: string;
  modelOverride?: string;
  thinkingLevel?: string;
  fastMode?: FastMode;
  contextUsedTokens?: number;
  runStartedAt?: number;
};

/** `sessions.list` defaults: the agent's model and what it offers (OpenClaw's fields). */
export type Defaults = FastFacts & {
  modelProvider?: string | null;
  model?: string | null;
  contextTokens?: number | null;
  thinkingOptions?: string[];
  thinkingDefault?: string;
};

/** OpenClaw's kinds: the gateway's `kind` (direct, group), and cron for a scheduled job's session. */
export const kindOf = (row: Row) =>
  `sessions.kind.${row.key.split(":")[2] === "cron" ? "cron" : (row.kind ?? "direct")}` as MessageKey;
export const isLive = (row: Row) => row.hasActiveRun ?? !!row.activeRunIds?.length;

/** The Sessions table's columns: the drawer spans them all. */
const COLUMNS = 8;
const fastWord = (mode: FastMode | undefined) => (mode === "auto" ? "auto" : mode ? "on" : "off");
const FAST: Record<string, FastMode> = { on: true, off: false, auto: "auto" };

/** "1h 2m", "2m 5s", "9s". */
function span(ms: number) {
  const s = Math.max(0, Math.floor(ms / 1000));
  const [h, m] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60)];
  return h ? `${h}h ${m}m` : m ? `${m}m ${s % 60}s` : `${s}s`;
}

/** The chevron that opens and closes a row's drawer (`open`: the key of the row whose drawer is open). */
export function DrawerToggle(props: {
  row: Row;
  open: string | undefined;
  onToggle: (key?: string) => void;
}) {
  const { t } = useI18n();
  const open = props.open === props.row.key;
  return (
    <button
      type="button"
      class="ghost drawer-toggle"
      aria-expanded={open}
      aria-controls={open ? `drawer-${props.row.sessionId}` : undefined}
      aria-label={t("sessions.details", { key: props.row.key })}
      onClick={() => props.onToggle(open ? undefined : props.row.key)}
    />
  );
}

export function SessionDrawer(props: {
  conn: GatewayConnection;
  row: Row;
  page: { defaults?: Defaults };
  /** A change was applied: the page reloads its rows (the drawer shows them). */
  onSaved: () => Promise<unknown>;
}) {
  const { t } = useI18n();
  const { row } = props;
  const defaults = props.page.defaults;
  const models = useModels(props.conn);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ ok?: string; error?: string }>({});
  const live = isLive(row);
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!live) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [live]);

  const apply = async (fields: Record<string, unknown>) => {
    setBusy(true);
    setResult({});
    try {
      await props.conn.request("sessions.patch", { key: row.key, ...fields });
      await props.onSaved();
      setResult({ ok: t("sessions.applied") });
    } catch (err) {
      setResult({ error: errorText(err) });
    } finally {
      setBusy(false);
    }
  };

  const agentModel = defaults?.model
    ? `${defaults.modelProvider ? `${defaults.modelProvider}/` : ""}${defaults.model}`
    : undefined;
  const chosen: ModelRow | Defaults | undefined = row.modelOverride
    ? models.find((m) => refOf(m) === row.modelOverride)
    : defaults;
  const window = row.modelOverride
    ? (chosen as ModelRow | undefined)?.contextWindow
    : (defaults?.contextTokens ?? undefined);
  const used = row.contextUsedTokens;
  const levels = chosen?.thinkingOptions ?? ["off"];
  const select = (
    id: string,
    label: string,
    value: string,
    fallback: string,
    options: string[],
    key: string,
  ) => (
    <label>
      {label}
      <select
        id={`drawer-${id}`}
        value={value}
        disabled={busy}
        onChange={(e) => {
          const v = (e.currentTarget as HTMLSelectElement).value;
          void apply({ [key]: v ? (key === "fastMode" ? FAST[v] : v) : null });
        }}
      >
        <option value="">{t("chat.modelDefault", { model: fallback })}</option>
        {/* A saved choice the model no longer offers is still shown (and can be cleared). */}
        {[...new Set([...options, ...(value ? [value] : [])])].map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    </label>
  );

  return (
    <tr class="session-drawer" id={`drawer-${row.sessionId}`}>
      <td colSpan={COLUMNS}>
        <dl>
          <dt>{t("chat.agent")}</dt>
          <dd>{row.agentId ?? row.key.split(":")[1]}</dd>
          <dt>{t("sessions.channel")}</dt>
          <dd>
            {channelOf(row)} · {t(kindOf(row))}
          </dd>
          <dt>{t("sessions.created")}</dt>
          <dd>{row.createdAt !== undefined && <Stamp at={row.createdAt} />}</dd>
          <dt>{t("sessions.updated")}</dt>
          <dd>
            <Stamp at={row.updatedAt} />
          </dd>
          <dt>{t("sessions.lastModel")}</dt>
          <dd>{row.model ? `${row.modelProvider ? `${row.modelProvider}/` : ""}${row.model}` : "—"}</dd>
          <dt>{t("sessions.tokens")}</dt>
          <dd>
            {row.totalTokens ?? 0}
            {used !== undefined && window ? (
              <span class="context-use">
                <meter min={0} max={window} value={used} aria-label={t("sessions.context")} />
                {t("sessions.contextUse", { used, window, pct: Math.round((used / window) * 100) })}
              </span>
            ) : null}
          </dd>
          <dt>{t("sessions.state")}</dt>
          <dd>
            {live
              ? `${t("sessions.live")}${row.runStartedAt ? ` · ${span(now - row.runStartedAt)}` : ""}`
              : t("sessions.idle")}
          </dd>
        </dl>
        <div class="drawer-overrides">
          <label>
            {t("chat.model")}
            <select
              id="drawer-model"
              value={row.modelOverride ?? ""}
              disabled={busy}
              onChange={(e) => void apply({ model: (e.currentTarget as HTMLSelectElement).value || null })}
            >
              <ModelOptions models={models} value={row.modelOverride ?? ""} fallback={agentModel} />
            </select>
          </label>
          {select(
            "thinking",
            t("sessions.thinking"),
            row.thinkingLevel ?? "",
            chosen?.thinkingDefault ?? "off",
            levels,
            "thinkingLevel",
          )}
          {select(
            "fast",
            t("chat.fast"),
            row.fastMode === undefined ? "" : fastWord(row.fastMode),
            fastWord(chosen?.effectiveFastMode),
            Object.keys(FAST),
            "fastMode",
          )}
        </div>
        {result.ok && (
          <p class="muted" role="status">
            {result.ok}
          </p>
        )}
        {result.error && (
          <p class="banner error" role="alert">
            {result.error}
          </p>
        )}
      </td>
    </tr>
  );
}
