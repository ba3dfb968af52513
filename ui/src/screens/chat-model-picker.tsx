import { useEffect, useState } from "preact/hooks";
import type { GatewayConnection } from "../gateway.js";
import { useI18n } from "../i18n/index.js";
import { errorText } from "../util.js";
import type { HistoryMessage } from "./chat-model.js";

/** A `models.list` row (OpenClaw's shape): the id with its provider beside it. */
interface ModelRow {
  id: string;
  provider: string;
  ref?: string;
  available?: boolean;
}

/** The session's model: its own choice (`modelOverride`, `provider/model`) and the agent's default. */
export interface SessionModel {
  override?: string;
  default?: string;
}

const refOf = (m: ModelRow) => m.ref ?? `${m.provider}/${m.id}`;

/** The catalog, once per connection. */
function useModels(conn: GatewayConnection): ModelRow[] {
  const [models, setModels] = useState<ModelRow[]>([]);
  useEffect(() => {
    conn
      .request<{ models: ModelRow[] }>("models.list", { view: "configured" })
      .then((res) => setModels(res.models))
      // Without the catalog the picker offers the default only; the chat still works.
      .catch(() => setModels([]));
  }, [conn]);
  return models;
}

/**
 * The session's model, picked from `models.list` and set with `sessions.patch { model }`
 * (empty: back to the agent's default). `onSaving` gets the pending change, so a message
 * sent meanwhile waits for it and runs on the model chosen.
 */
export function ModelPicker(props: {
  conn: GatewayConnection;
  sessionKey: string;
  current: SessionModel;
  onSaving: (saved: Promise<unknown>) => void;
  onError: (message: string) => void;
}) {
  const { t } = useI18n();
  const models = useModels(props.conn);
  const [value, setValue] = useState(props.current.override ?? "");
  useEffect(() => setValue(props.current.override ?? ""), [props.sessionKey, props.current.override]);
  const providers = [...new Set(models.map((m) => m.provider))];
  // A choice made elsewhere (/model) that the catalog does not list is still shown.
  const listed = !value || models.some((m) => refOf(m) === value);

  const pick = (next: string) => {
    const before = value;
    setValue(next);
    const saved = props.conn.request("sessions.patch", { key: props.sessionKey, model: next || null });
    props.onSaving(saved.catch(() => undefined));
    saved.catch((err) => {
      setValue(before);
      props.onError(errorText(err));
    });
  };

  return (
    <select
      id="chat-model"
      class="model-picker"
      aria-label={t("chat.model")}
      title={t("chat.model")}
      value={value}
      onChange={(e) => pick((e.currentTarget as HTMLSelectElement).value)}
    >
      <option value="">{t("chat.modelDefault", { model: props.current.default ?? "—" })}</option>
      {!listed && <option value={value}>{value}</option>}
      {providers.map((provider) => (
        <optgroup key={provider} label={provider}>
          {models
            .filter((m) => m.provider === provider)
            .map((m) => (
              // A model without a usable key cannot answer: shown, not offered (as in OpenClaw's picker).
              <option key={refOf(m)} value={refOf(m)} disabled={m.available === false}>
                {m.id}
              </option>
            ))}
        </optgroup>
      ))}
    </select>
  );
}

export interface HistoryAnswer {
  messages: HistoryMessage[];
  sessionInfo?: { modelOverride?: string };
  defaults?: { modelProvider?: string; model?: string };
}

/** The session's own model choice and the agent's default, from its history answer. */
export function sessionModelOf(res: HistoryAnswer): SessionModel {
  const d = res.defaults;
  return {
    ...(res.sessionInfo?.modelOverride ? { override: res.sessionInfo.modelOverride } : {}),
    ...(d?.model ? { default: d.modelProvider ? `${d.modelProvider}/${d.model}` : d.model } : {}),
  };
}
