import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import type { ScreenProps } from "../app.js";
import { type FormContext, SchemaField, type SchemaNode } from "../config/form.js";
import { setAt, splitProblem } from "../config/paths.js";
import { GatewayError } from "../gateway.js";
import { type MessageKey, useI18n } from "../i18n/index.js";
import { errorText } from "../util.js";
import { McpServers } from "./config-mcp.js";

interface ConfigGet {
  hash: string;
  valid: boolean;
  exists: boolean;
  path?: string;
  config: Record<string, unknown>;
  raw: string | null;
  /** Keys OpenClaw knows that this gateway accepts without acting on them. */
  openClawOnly?: string[];
}

interface EditResult {
  hash: string;
  applied: string[];
  restartRequired: string[];
}

/** The sections most people edit; everything else is in the raw editor. */
const SECTIONS: { key: string; label: MessageKey }[] = [
  { key: "agents", label: "config.section.agents" },
  { key: "models", label: "config.section.models" },
  { key: "channels", label: "nav.channels" },
  { key: "bindings", label: "config.section.bindings" },
  { key: "session", label: "nav.sessions" },
  { key: "messages", label: "config.section.messages" },
  { key: "tools", label: "config.section.tools" },
  { key: "mcp", label: "config.section.mcp" },
  { key: "gateway", label: "config.section.gateway" },
  { key: "logging", label: "config.section.logging" },
];

type Outcome =
  | { kind: "saved"; result: EditResult }
  | { kind: "conflict" }
  | { kind: "invalid"; problems: string[] }
  | { kind: "error"; message: string };

export function ConfigScreen({ conn }: ScreenProps) {
  const { t } = useI18n();
  const [current, setCurrent] = useState<ConfigGet | undefined>();
  const [schema, setSchema] = useState<
    { schema: SchemaNode; uiHints: { sensitive: string[] } } | undefined
  >();
  const [draft, setDraftState] = useState<Record<string, unknown>>({});
  const [raw, setRawState] = useState("");
  // Save reads the latest edits from refs: a field's change event may land just before the click.
  const latest = useRef({ draft, raw });
  const setDraft = (doc: Record<string, unknown>) => {
    latest.current.draft = doc;
    setDraftState(doc);
  };
  const setRaw = (text: string) => {
    latest.current.raw = text;
    setRawState(text);
  };
  const [mode, setMode] = useState<"form" | "raw">("form");
  const [outcome, setOutcome] = useState<Outcome | undefined>();
  const [busy, setBusy] = useState(false);
  const [loadError, setLoadError] = useState("");

  // The old outcome (a conflict, say) stays on screen until the fresh config is in.
  const reload = async () => {
    try {
      const got = await conn.request<ConfigGet>("config.get", {});
      setOutcome(undefined);
      setCurrent(got);
      setDraft(got.config);
      setRaw(got.raw ?? `${JSON.stringify(got.config, null, 2)}\n`);
    } catch (err) {
      setLoadError(errorText(err));
    }
  };

  useEffect(() => {
    void reload();
    conn
      .request<{ schema: SchemaNode; uiHints: { sensitive: string[] } }>("config.schema", {})
      .then(setSchema)
      .catch((err) => setLoadError(errorText(err)));
  }, [conn]);

  const save = async () => {
    if (!current) return;
    setBusy(true);
    setOutcome(undefined);
    try {
      const result =
        mode === "form"
          ? await conn.request<EditResult>("config.set", {
              config: latest.current.draft,
              baseHash: current.hash,
            })
          : await conn.request<EditResult>("config.apply", {
              raw: latest.current.raw,
              baseHash: current.hash,
            });
      await reload();
      setOutcome({ kind: "saved", result });
    } catch (err) {
      if (err instanceof GatewayError && err.code === "CONFLICT") setOutcome({ kind: "conflict" });
      else if (err instanceof GatewayError && err.details?.problems) {
        setOutcome({ kind: "invalid", problems: err.details.problems });
      } else setOutcome({ kind: "error", message: errorText(err) });
    }
    setBusy(false);
  };

  const problems = outcome?.kind === "invalid" ? outcome.problems.map(splitProblem) : [];
  const errors = useMemo(() => {
    const map = new Map<string, string[]>();
    for (const p of problems) if (p.path) map.set(p.path, [...(map.get(p.path) ?? []), p.message]);
    return map;
  }, [outcome]);
  const shownInForm = (path?: string) =>
    mode === "form" &&
    !!path &&
    SECTIONS.some((s) => path === s.key || path.startsWith(`${s.key}.`) || path.startsWith(`${s.key}[`));

  const ctx: FormContext = {
    document: draft,
    sensitive: schema?.uiHints.sensitive ?? [],
    errors,
    onChange: (at, value) => setDraft(setAt(latest.current.draft, at, value)),
  };

  return (
    <section class="config">
      <div class="toolbar">
        <h1>{t("nav.config")}</h1>
        <div class="tabs" role="tablist">
          <button
            type="button"
            role="tab"
            id="config-tab-form"
            aria-selected={mode === "form"}
            class={mode === "form" ? "active" : "secondary"}
            onClick={() => setMode("form")}
          >
            {t("config.form")}
          </button>
          <button
            type="button"
            role="tab"
            id="config-tab-raw"
            aria-selected={mode === "raw"}
            class={mode === "raw" ? "active" : "secondary"}
            onClick={() => setMode("raw")}
          >
            {t("config.raw")}
          </button>
        </div>
      </div>
      {current?.path && <p class="muted small">{t("config.file", { path: current.path })}</p>}
      {current && !current.valid && <p class="banner warn">{t("config.diskInvalid")}</p>}
      {current?.openClawOnly && current.openClawOnly.length > 0 && (
        <div class="banner warn" id="config-openclaw-only">
          <p>{t("config.openClawOnly")}</p>
          <ul>
            {current.openClawOnly.map((key) => (
              <li key={key}>
                <code>{key}</code>
              </li>
            ))}
          </ul>
        </div>
      )}
      {loadError && (
        <p class="banner error" role="alert">
          {loadError}
        </p>
      )}
      {outcome?.kind === "conflict" && (
        <div class="banner warn" role="alert" id="config-conflict">
          <p>{t("config.conflict")}</p>
          <button type="button" id="config-reload" onClick={() => void reload()}>
            {t("config.reload")}
          </button>
        </div>
      )}
      {outcome?.kind === "saved" && (
        <div class="banner ok" role="status" id="config-saved">
          <p>{t("config.saved")}</p>
          {outcome.result.applied.length > 0 && (
            <p class="small">{t("config.appliedLive", { paths: outcome.result.applied.join(", ") })}</p>
          )}
          {outcome.result.restartRequired.length > 0 && (
            <p class="small">
              {t("config.restartRequired", { paths: outcome.result.restartRequired.join(", ") })}
            </p>
          )}
        </div>
      )}
      {outcome?.kind === "error" && (
        <p class="banner error" role="alert">
          {outcome.message}
        </p>
      )}
      {outcome?.kind === "invalid" && (
        <div class="banner error" role="alert" id="config-invalid">
          <p>{t("config.invalid")}</p>
          <ul>
            {problems
              .filter((p) => !shownInForm(p.path))
              .map((p) => (
                <li key={`${p.path}:${p.message}`}>{p.path ? `${p.path}: ${p.message}` : p.message}</li>
              ))}
          </ul>
        </div>
      )}
      {mode === "form" && <McpServers conn={conn} version={current?.hash} />}
      {mode === "form" && schema && current && (
        <form
          id="config-form"
          onSubmit={(e) => {
            e.preventDefault();
            void save();
          }}
        >
          {SECTIONS.filter((s) => schema.schema.properties?.[s.key]).map((s) => (
            <SchemaField
              key={s.key}
              name={t(s.label)}
              node={schema.schema.properties![s.key]!}
              at={[s.key]}
              ctx={ctx}
            />
          ))}
          <div class="actions sticky">
            <button type="submit" id="config-save" disabled={busy}>
              {t("auto.save")}
            </button>
            <button type="button" class="secondary" onClick={() => void reload()}>
              {t("config.discard")}
            </button>
          </div>
        </form>
      )}
      {mode === "raw" && current && (
        <form
          id="config-raw-form"
          onSubmit={(e) => {
            e.preventDefault();
            void save();
          }}
        >
          <p class="muted small">{t("config.rawHint")}</p>
          <textarea
            id="config-raw"
            class="json raw"
            spellcheck={false}
            rows={24}
            value={raw}
            onInput={(e) => setRaw((e.currentTarget as HTMLTextAreaElement).value)}
          />
          <div class="actions">
            <button type="submit" id="config-apply" disabled={busy}>
              {t("config.applyButton")}
            </button>
            <button type="button" class="secondary" onClick={() => void reload()}>
              {t("config.discard")}
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
