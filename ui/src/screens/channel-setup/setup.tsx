import { useEffect, useRef, useState } from "preact/hooks";
import { CopyButton } from "../../components/copy.js";
import { type GatewayConnection, GatewayError } from "../../gateway.js";
import { type MessageKey, useI18n } from "../../i18n/index.js";
import { type SetupTranslate, useSetupI18n } from "../../i18n/setup/index.js";
import { errorText } from "../../util.js";
import { WhatsAppLogin } from "../whatsapp-login.js";
import {
  buildSection,
  DM_POLICIES,
  type DmChoice,
  discordIdOk,
  discordInviteUrl,
  GROUP_POLICIES,
  type GroupChoice,
  type SetupChannel,
  type SetupField,
  SPECS,
  slackManifest,
  validate,
} from "./specs.js";

/** The part of a `channels.status` row the flow watches. */
export interface SetupReport {
  state: string;
  connected: boolean;
  botName?: string;
  lastError?: string;
}

export interface SetupProps {
  conn: GatewayConnection;
  channel: SetupChannel;
  /** The channel's row from the screen's latest `channels.status`. */
  report: SetupReport;
  /** Reload the channel rows (the flow asks often while it waits for the connection). */
  refresh: () => Promise<void>;
  close: () => void;
}

/** While waiting for the channel to connect: status every second, not the screen's five. */
const WATCH_POLL_MS = 1000;

type Phase =
  | { name: "form"; error?: { key: string; text: string }; problems?: string[] }
  | { name: "saving" }
  | { name: "watching"; errorBefore?: string; sawProgress: boolean };

/**
 * Guided setup of one unconfigured channel: the steps at the provider, the values to
 * type, who may talk to the bot, then one `config.patch` of `channels.<id>`. The gateway
 * starts the channel on the live config reload; the flow then watches its status until
 * it connects (the connection test: a wrong token shows the channel's own error).
 * Secrets live only in this form's state until saved, then are dropped from it.
 */
export function ChannelSetup({ conn, channel, report, refresh, close }: SetupProps) {
  const ts = useSetupI18n();
  const { t } = useI18n();
  const spec = SPECS[channel];
  const [values, setValues] = useState<Record<string, string>>({});
  const [dm, setDm] = useState<DmChoice>("pairing");
  const [group, setGroup] = useState<GroupChoice>("allowlist");
  const [allowFrom, setAllowFrom] = useState("");
  const [phase, setPhase] = useState<Phase>({ name: "form" });
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);

  const watching = phase.name === "watching";
  useEffect(() => {
    if (!watching) return;
    const timer = setInterval(() => void refresh(), WATCH_POLL_MS);
    return () => clearInterval(timer);
  }, [watching]);
  // A failure counts once the restarted channel reported something new: the row read
  // just after saving may still carry the old attempt's error.
  useEffect(() => {
    if (phase.name !== "watching" || phase.sawProgress) return;
    if (report.state !== "error" || report.lastError !== phase.errorBefore) {
      setPhase({ ...phase, sawProgress: true });
    }
  }, [report, phase]);

  const save = async () => {
    const policy = { dm, group, allowFrom };
    const problem = validate(spec, values, policy);
    if (problem) {
      const field = spec.fields.find((f) => f.key === problem.key);
      setPhase({
        name: "form",
        error: { key: problem.key, text: ts(problem.error, { field: field ? ts(field.label) : "" }) },
      });
      document.getElementById(`setup-${channel}-${problem.key}`)?.focus();
      return;
    }
    setPhase({ name: "saving" });
    const patch = { channels: { [channel]: buildSection(spec, values, policy) } };
    try {
      // Channel keys always apply live (config/reload.ts restarts for gateway.* only).
      await patchConfig(conn, patch);
      // The secrets are in openclaw.json now; the page keeps no copy (a retry types them again).
      setValues((old) =>
        Object.fromEntries(
          Object.entries(old).filter(([key]) => !spec.fields.find((f) => f.key === key)?.secret),
        ),
      );
      setPhase({
        name: "watching",
        errorBefore: report.state === "error" ? report.lastError : undefined,
        sawProgress: false,
      });
      await refresh();
    } catch (err) {
      const problems = err instanceof GatewayError ? err.details?.problems : undefined;
      setPhase({ name: "form", error: { key: "", text: errorText(err) }, problems });
    }
  };

  const failed = phase.name === "watching" && phase.sawProgress && report.state === "error";
  const connected = phase.name === "watching" && report.connected;
  const name = spec.title;
  return (
    <div
      class="setup"
      id={`setup-${channel}`}
      data-phase={connected ? "connected" : failed ? "failed" : phase.name}
    >
      <div class="setup-head">
        <h3 tabIndex={-1} ref={heading}>
          {ts("setup.title", { channel: name })}
        </h3>
        <button type="button" class="secondary" id={`setup-${channel}-close`} onClick={close}>
          {connected ? ts("setup.done") : ts("setup.close")}
        </button>
      </div>
      {phase.name !== "watching" && (
        <>
          <Steps channel={channel} ts={ts} appId={values.applicationId} />
          <form
            class="setup-form"
            onSubmit={(e) => {
              e.preventDefault();
              void save();
            }}
          >
            <Fields
              channel={channel}
              fields={spec.fields}
              values={values}
              error={phase.name === "form" ? phase.error : undefined}
              onInput={(key, v) => setValues((old) => ({ ...old, [key]: v }))}
              ts={ts}
            />
            <Choice
              id={`setup-${channel}-dm`}
              legend={ts("setup.dm")}
              options={DM_POLICIES.map((p) => [p, ts(`setup.dm.${p}`)])}
              value={dm}
              onChange={setDm}
            />
            {dm === "allowlist" && (
              <label class="setup-field">
                {ts("setup.allowFrom")}
                <input
                  id={`setup-${channel}-allowFrom`}
                  value={allowFrom}
                  aria-invalid={phase.name === "form" && phase.error?.key === "allowFrom"}
                  onInput={(e) => setAllowFrom(e.currentTarget.value)}
                />
              </label>
            )}
            <Choice
              id={`setup-${channel}-group`}
              legend={ts("setup.group")}
              options={GROUP_POLICIES.map((p) => [p, ts(`setup.group.${p}`)])}
              value={group}
              onChange={setGroup}
            />
            {phase.name === "form" && phase.error && (
              <div class="banner error" role="alert" id={`setup-${channel}-error`}>
                <p>{phase.error.text}</p>
                {phase.problems && (
                  <ul>
                    {phase.problems.map((p) => (
                      <li key={p}>{p}</li>
                    ))}
                  </ul>
                )}
              </div>
            )}
            <button type="submit" id={`setup-${channel}-save`} disabled={phase.name === "saving"}>
              {phase.name === "saving" ? ts("setup.saving") : ts("setup.save")}
            </button>
          </form>
        </>
      )}
      {phase.name === "watching" && (
        <div class="setup-watch" role="status">
          {channel === "whatsapp" ? (
            <>
              <p class="small">{ts("setup.whatsapp.s2")}</p>
              <WhatsAppLogin
                conn={conn}
                connected={report.connected}
                note={null}
                onChange={() => void refresh()}
              />
            </>
          ) : connected ? (
            <p class="banner ok" id={`setup-${channel}-connected`}>
              {report.botName ? ts("setup.connectedAs", { name: report.botName }) : ts("setup.connected")}
            </p>
          ) : failed ? (
            <div class="banner error" id={`setup-${channel}-failed`}>
              <p>{ts("setup.failed", { channel: name, reason: report.lastError ?? report.state })}</p>
              <button type="button" onClick={() => setPhase({ name: "form" })}>
                {ts("setup.retry")}
              </button>
            </div>
          ) : (
            <p class="muted">
              {ts("setup.watching", {
                channel: name,
                state: t(`channels.state.${report.state}` as MessageKey),
              })}
            </p>
          )}
        </div>
      )}
      <p class="small">
        <a href={spec.docs} target="_blank" rel="noopener noreferrer">
          {ts("setup.docs")}
        </a>
      </p>
    </div>
  );
}

/** config.patch from the file's current hash; one retry when another edit got in first (the patch only touches this channel). */
async function patchConfig(conn: GatewayConnection, patch: Record<string, unknown>) {
  for (let attempt = 0; ; attempt++) {
    const { hash } = await conn.request<{ hash: string }>("config.get", {});
    try {
      return await conn.request("config.patch", { patch, baseHash: hash });
    } catch (err) {
      if (attempt > 0 || !(err instanceof GatewayError) || err.code !== "CONFLICT") throw err;
    }
  }
}

function Steps({ channel, ts, appId }: { channel: SetupChannel; ts: SetupTranslate; appId?: string }) {
  const manifest = channel === "slack" ? slackManifest("OpenClaw") : undefined;
  const invite =
    channel === "discord" && appId && discordIdOk(appId.trim()) ? discordInviteUrl(appId.trim()) : "";
  return (
    <>
      <ol class="setup-steps">
        {SPECS[channel].steps.map((step) => (
          <li key={step.text}>
            {ts(step.text)}
            {step.link && (
              <>
                {" "}
                <a href={step.link} target="_blank" rel="noopener noreferrer">
                  {ts("setup.open", { host: new URL(step.link).host })}
                </a>
              </>
            )}
          </li>
        ))}
      </ol>
      {manifest && (
        <details class="setup-manifest" open>
          <summary>manifest.json</summary>
          <CopyButton text={manifest} label={ts("setup.copyManifest")} />
          <pre id="setup-slack-manifest">{manifest}</pre>
        </details>
      )}
      {invite && (
        <p>
          <a class="button" id="setup-discord-invite" href={invite} target="_blank" rel="noopener noreferrer">
            {ts("setup.invite")}
          </a>
        </p>
      )}
    </>
  );
}

function Fields({
  channel,
  fields,
  values,
  error,
  onInput,
  ts,
}: {
  channel: SetupChannel;
  fields: SetupField[];
  values: Record<string, string>;
  error?: { key: string; text: string };
  onInput: (key: string, value: string) => void;
  ts: SetupTranslate;
}) {
  const field = (f: SetupField) => {
    const id = `setup-${channel}-${f.key}`;
    const props = {
      id,
      spellcheck: false,
      placeholder: f.placeholder,
      value: values[f.key] ?? "",
      "aria-invalid": error?.key === f.key,
      onInput: (e: { currentTarget: HTMLInputElement }) => onInput(f.key, e.currentTarget.value),
    };
    return (
      <label class="setup-field" key={f.key} htmlFor={id}>
        {ts(f.label)}
        {f.secret ? (
          // Password managers must not offer to keep (or fill in) a bot token as a login.
          <input type="password" autocomplete="new-password" {...props} />
        ) : (
          <input type="text" autocomplete="off" {...props} />
        )}
      </label>
    );
  };
  const advanced = fields.filter((f) => f.advanced);
  if (fields.length === 0) return null;
  return (
    <>
      {fields.filter((f) => !f.advanced).map(field)}
      {advanced.length > 0 && (
        <details class="setup-advanced">
          <summary>{ts("setup.advanced")}</summary>
          {advanced.map(field)}
        </details>
      )}
    </>
  );
}

function Choice<T extends string>({
  id,
  legend,
  options,
  value,
  onChange,
}: {
  id: string;
  legend: string;
  options: [T, string][];
  value: T;
  onChange: (value: T) => void;
}) {
  return (
    <fieldset class="setup-choice" id={id}>
      <legend>{legend}</legend>
      {options.map(([option, label]) => (
        <label key={option}>
          <input
            type="radio"
            name={id}
            value={option}
            checked={value === option}
            onChange={() => onChange(option)}
          />
          {label}
        </label>
      ))}
    </fieldset>
  );
}
