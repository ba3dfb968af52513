import { useEffect, useState } from "preact/hooks";
import type { GatewayConnection } from "../gateway.js";
import { useI18n } from "../i18n/index.js";
import { errorText } from "../util.js";
import type { HistoryMessage } from "./chat-model.js";

/** A `models.list` row (OpenClaw's shape): the id with its provider beside it. */
export interface ModelRow extends ModelFacts {
  id: string;
  provider: string;
  ref?: string;
  available?: boolean;
  contextWindow?: number;
}

export type FastMode = boolean | "auto";

/** OpenClaw's model fields: whether Fast mode changes its requests (unknown: assume so), and its own default. */
export interface FastFacts {
  supportsFastMode?: boolean;
  effectiveFastMode?: FastMode;
}

/** What a model offers: Fast mode, and its thinking levels with the one it uses unless a session chooses. */
export interface ModelFacts extends FastFacts {
  thinkingOptions?: string[];
  thinkingDefault?: string;
}

/** The session's model: its own choice (`modelOverride`, `provider/model`) and the agent's default; its Fast mode and thinking level likewise. */
export interface SessionModel {
  override?: string;
  default?: string;
  fast?: FastMode;
  thinking?: string;
  /** The default model's facts. */
  defaultFast?: ModelFacts;
}

export const refOf = (m: ModelRow) => m.ref ?? `${m.provider}/${m.id}`;

/** The catalog, once per connection. */
export function useModels(conn: GatewayConnection): ModelRow[] {
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

type PickerProps = Parameters<typeof ModelPicker>[0];

/**
 * One of the session's own choices, saved with `sessions.patch { [field] }` ("" or
 * undefined: null, back to the default). Shown at once; `onSaving` gets the pending save,
 * so a message sent meanwhile waits for it; a refused change goes back and says why. The
 * value follows `saved` (the session's, as the gateway last said) and the session shown.
 */
function useSessionChoice<T>(props: PickerProps, field: string, saved: T): [T, (next: T) => void] {
  const [value, setValue] = useState(saved);
  useEffect(() => setValue(saved), [props.sessionKey, saved]);
  const save = (next: T) => {
    const before = value;
    setValue(next);
    const done = props.conn.request("sessions.patch", {
      key: props.sessionKey,
      [field]: next === "" ? null : (next ?? null),
    });
    props.onSaving(done.catch(() => undefined));
    done.catch((err) => {
      setValue(before);
      props.onError(errorText(err));
    });
  };
  return [value, save];
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
  const [value, pick] = useSessionChoice(props, "model", props.current.override ?? "");
  const providers = [...new Set(models.map((m) => m.provider))];
  // A choice made elsewhere (/model) that the catalog does not list is still shown.
  const listed = !value || models.some((m) => refOf(m) === value);
  const facts = value ? models.find((m) => refOf(m) === value) : props.current.defaultFast;

  return (
    <>
      <select
        id="chat-model"
        class="model-picker"
        aria-label={t("chat.model")}
        title={t("chat.model")}
        value={value}
        onChange={(e) => pick((e.currentTarget as HTMLSelectElement).value)}
      >
        {/* The model's name first, without its provider: a phone's narrow picker still shows it. */}
        <option value="">
          {t("chat.modelDefault", { model: props.current.default?.replace(/^[^/]*\//, "") ?? "—" })}
        </option>
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
      <ThinkingPicker {...props} facts={facts} />
      <FastSwitch {...props} facts={facts} />
    </>
  );
}

/**
 * The session's thinking level (OpenClaw's effort picker, `sessions.patch { thinkingLevel }`):
 * "Default (…)" clears it. A model that offers no levels gets no picker, unless a saved
 * level is there to clear; a saved level the model no longer offers is still shown.
 */
function ThinkingPicker(props: PickerProps & { facts: ModelFacts | undefined }) {
  const { t } = useI18n();
  const [level, pick] = useSessionChoice(props, "thinkingLevel", props.current.thinking ?? "");
  const options = [...new Set([...(props.facts?.thinkingOptions ?? ["off"]), level || "off"])];
  if (options.length < 2 && !level) return null;
  return (
    <select
      id="chat-thinking"
      class="model-picker"
      aria-label={t("chat.thinking")}
      title={t("chat.thinking")}
      value={level}
      onChange={(e) => pick((e.currentTarget as HTMLSelectElement).value)}
    >
      <option value="">{t("chat.thinkingDefault", { level: props.facts?.thinkingDefault ?? "off" })}</option>
      {options.map((o) => (
        <option key={o} value={o}>
          {t("chat.thinkingLevel", { level: o })}
        </option>
      ))}
    </select>
  );
}

/**
 * The session's Fast mode as one switch (`sessions.patch { fastMode }`): it shows the
 * session's choice, else the model's own default. Turning it back to the model's default
 * clears the choice (null). Where Fast mode does nothing it is disabled, with why as its
 * tooltip, unless a saved choice is there to clear (as in OpenClaw's Control UI).
 */
function FastSwitch(props: PickerProps & { facts: ModelFacts | undefined }) {
  const { t } = useI18n();
  const [fast, save] = useSessionChoice(props, "fastMode", props.current.fast);
  const fallback = props.facts?.effectiveFastMode;
  const mode = fast ?? fallback;
  const on = !!mode;
  const useless = props.facts?.supportsFastMode === false;
  const idle = useless && fast === undefined;
  const toggle = () => {
    if (!idle) save(useless || !on === !!fallback ? undefined : !on);
  };
  const tip = t(
    idle ? "chat.fastNone" : mode === "auto" ? "chat.fastAuto" : on ? "chat.fastOn" : "chat.fastOff",
  );
  return (
    <button
      type="button"
      class="fast-switch"
      id="chat-fast"
      role="switch"
      aria-checked={on}
      aria-disabled={idle}
      title={tip}
      onClick={toggle}
    >
      {t("chat.fast")}
    </button>
  );
}

export interface HistoryAnswer {
  messages: HistoryMessage[];
  sessionInfo?: { modelOverride?: string; fastMode?: FastMode; thinkingLevel?: string };
  defaults?: { modelProvider?: string; model?: string } & ModelFacts;
}

/** The session's own model choice and the agent's default, from its history answer. */
export function sessionModelOf(res: HistoryAnswer): SessionModel {
  const d = res.defaults;
  return {
    ...(res.sessionInfo?.modelOverride ? { override: res.sessionInfo.modelOverride } : {}),
    ...(d?.model ? { default: d.modelProvider ? `${d.modelProvider}/${d.model}` : d.model } : {}),
    fast: res.sessionInfo?.fastMode,
    thinking: res.sessionInfo?.thinkingLevel,
    defaultFast: d,
  };
}
