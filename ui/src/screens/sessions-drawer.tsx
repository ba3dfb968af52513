/**
 * A Sessions-page row's drawer (OpenClaw's Threads row details): who and where, when,
 * the model that last answered, how full its context is, whether a run is going and for
 * how long, and the session's own model, thinking level and Fast mode ("Default (…)"
 * clears the choice: `null`), each applied at once with `sessions.patch` and shown as
 * the rows reload (the composer's model picker and Fast switch, reused).
 */

import { useState } from "preact/hooks";
import { Stamp } from "../components/time.js";
import type { GatewayConnection } from "../gateway.js";
import { type MessageKey, useI18n } from "../i18n/index.js";
import type { SessionRow } from "./agents.js";
import {
  type FastFacts,
  type FastMode,
  ModelPicker,
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
      aria-label={t("sessions.details")}
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
  const live = isLive(row);
  // Why the last change failed; a change that went in shows as the rows reload with it.
  const [error, setError] = useState("");
  const applied = (saved: Promise<unknown>) => {
    setError("");
    void saved.then(props.onSaved);
  };

  const chosen: ModelRow | Defaults | undefined = row.modelOverride
    ? models.find((m) => refOf(m) === row.modelOverride)
    : defaults;
  const window = row.modelOverride
    ? (chosen as ModelRow | undefined)?.contextWindow
    : (defaults?.contextTokens ?? undefined);
  const used = row.contextUsedTokens;

  return (
    <tr class="session-drawer">
      <td colSpan={COLUMNS}>
        <dl>
          <dt>{t("chat.agent")}</dt>
          <dd>{row.agentId}</dd>
          <dt>{t("sessions.kind")}</dt>
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
          <dd>{row.model ? `${row.modelProvider}/${row.model}` : "—"}</dd>
          <dt>{t("sessions.tokens")}</dt>
          <dd>
            {row.totalTokens ?? 0}
            {/* How full the context was after the last answer, of the model's window. */}
            {!!used && !!window && (
              <span class="context-use">
                <meter min={0} max={window} value={used} aria-label={t("sessions.tokens")} />
                {`${used} / ${window} (${Math.round((used / window) * 100)}%)`}
              </span>
            )}
          </dd>
          <dt>{t("sessions.state")}</dt>
          <dd>
            {t(live ? "sessions.live" : "sessions.idle")}
            {/* When the run in progress began ("2 min ago"): how long it has been going. */}
            {live && row.runStartedAt && <Stamp at={row.runStartedAt} />}
          </dd>
        </dl>
        <div class="drawer-overrides">
          <ModelPicker
            conn={props.conn}
            sessionKey={row.key}
            current={{
              override: row.modelOverride,
              default: defaults?.model ? `${defaults.modelProvider}/${defaults.model}` : undefined,
              fast: row.fastMode,
              thinking: row.thinkingLevel,
              defaultFast: defaults,
            }}
            onSaving={applied}
            onError={setError}
          />
        </div>
        {error && (
          <p class="banner error" role="alert">
            {error}
          </p>
        )}
      </td>
    </tr>
  );
}
