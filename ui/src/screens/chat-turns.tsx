import type { ComponentChildren } from "preact";
import { Markdown } from "../components/markdown.js";
import { useI18n } from "../i18n/index.js";
import { MessageActions, type TurnActions } from "./chat-actions.js";
import { Mic } from "./chat-composer.js";
import { Avatar, type Identity, Stamp } from "./chat-meta.js";
import type { Fallback, LiveRun, Part, ToolView, Turn } from "./chat-model.js";

function pretty(value: unknown): string {
  if (typeof value === "string") return value;
  return JSON.stringify(value, null, 2) ?? "";
}

function seconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** One tool call, collapsed to its name and outcome; open for the arguments and the result. */
export function ToolCard({ tool }: { tool: ToolView }) {
  const { t } = useI18n();
  const state = tool.running ? "running" : tool.isError ? "failed" : tool.result !== undefined ? "done" : "";
  return (
    <details class={`tool ${state}`} data-tool={tool.name}>
      <summary>
        <span class="tool-name">{tool.name}</span>
        {state === "running" && <span class="pill">{t("auto.running")}</span>}
        {state === "failed" && <span class="pill bad">{t("chat.toolFailed")}</span>}
        {tool.durationMs !== undefined && <span class="muted small">{seconds(tool.durationMs)}</span>}
      </summary>
      {tool.args !== undefined && (
        <div class="tool-section">
          <div class="muted small">{t("chat.toolArgs")}</div>
          <pre>{pretty(tool.args)}</pre>
        </div>
      )}
      {tool.result !== undefined && (
        <div class="tool-section">
          <div class="muted small">{tool.isError ? t("chat.toolError") : t("chat.toolResult")}</div>
          <pre class="result">{tool.result}</pre>
        </div>
      )}
    </details>
  );
}

function PartView({ part, role }: { part: Part; role: Turn["role"] }) {
  const { t } = useI18n();
  switch (part.kind) {
    case "text":
      // The user's own words are shown as typed; the model's are markdown.
      return role === "user" ? <p class="plain">{part.text}</p> : <Markdown text={part.text} />;
    case "thinking":
      return (
        <details class="thinking">
          <summary>{t("chat.thinking")}</summary>
          <p class="plain muted">{part.text}</p>
        </details>
      );
    case "tool":
      return <ToolCard tool={part.tool} />;
    case "image":
      return <img class="attachment" src={part.src} alt={t("chat.image")} loading="lazy" />;
    case "file":
      return (
        <p class="file-part small">
          {part.audio && <Mic />} {part.name}
        </p>
      );
  }
}

/** "Retrying with a fallback" while the run goes on; "answered by a fallback" after. */
function FallbackNote({ fallback, live }: { fallback: Fallback; live: boolean }) {
  const { t } = useI18n();
  const vars = { from: fallback.from, to: fallback.to };
  return (
    <p class="state fallback small" role="status" data-from={fallback.from} data-to={fallback.to}>
      {live ? t("chat.fallbackRetrying", vars) : t("chat.fallbackUsed", vars)}
      {fallback.reason && <span class="muted"> ({fallback.reason})</span>}
    </p>
  );
}

function TurnMeta({ turn }: { turn: Turn }) {
  const { t, lang } = useI18n();
  if (!turn.model && !turn.usage) return null;
  const n = (v: number) => v.toLocaleString(lang);
  return (
    <div class="turn-meta muted small">
      {turn.model && <span class="model">{turn.model}</span>}
      {turn.usage && (
        <span class="usage">
          {t("chat.usage", { input: n(turn.usage.input), output: n(turn.usage.output) })}
        </span>
      )}
    </div>
  );
}

/** Above a message: the assistant's avatar and name, and when it was written. */
function MsgHead({ identity, at }: { identity?: Identity | undefined; at?: number | undefined }) {
  if (!identity && at === undefined) return null;
  return (
    <div class="msg-head">
      {identity && <Avatar identity={identity} />}
      {identity && <span class="who">{identity.name}</span>}
      {at !== undefined && <Stamp at={at} />}
    </div>
  );
}

export function TurnView({
  turn,
  identity,
  onRetry,
  actions,
  branch,
}: {
  turn: Turn;
  identity?: Identity | undefined;
  onRetry?: (turn: Turn) => void;
  actions?: TurnActions;
  /** The "‹ 1/2 ›" switcher when other versions of the conversation part here. */
  branch?: ComponentChildren;
}) {
  const { t } = useI18n();
  return (
    <div class={`msg ${turn.role}${turn.sending ? " sending" : ""}`} data-role={turn.role}>
      <MsgHead identity={turn.role === "assistant" ? identity : undefined} at={turn.at} />
      {turn.parts.map((part, i) => (
        <PartView key={i} part={part} role={turn.role} />
      ))}
      {turn.ended === "aborted" && <p class="state muted small">{t("chat.stopped")}</p>}
      {turn.ended === "error" && (
        <p class="state banner error small">{turn.errorMessage || t("chat.failed")}</p>
      )}
      {turn.sending && <p class="state small">{t("chat.sending")}</p>}
      {turn.failed && (
        <p class="state small">
          {t("chat.notSent", { reason: turn.failed })}{" "}
          {onRetry && (
            <button type="button" class="ghost" onClick={() => onRetry(turn)}>
              {t("chat.retry")}
            </button>
          )}
        </p>
      )}
      {turn.fallback && <FallbackNote fallback={turn.fallback} live={false} />}
      {turn.role === "assistant" && <TurnMeta turn={turn} />}
      {branch}
      {actions && !turn.sending && !turn.failed && <MessageActions turn={turn} actions={actions} />}
    </div>
  );
}

export function LiveView({ run, identity }: { run: LiveRun; identity?: Identity | undefined }) {
  return (
    <div class="msg assistant streaming" id="streaming" data-run-id={run.runId}>
      <MsgHead identity={identity} />
      {run.fallback && <FallbackNote fallback={run.fallback} live={true} />}
      {run.tools.map((tool) => (
        <ToolCard key={tool.id} tool={tool} />
      ))}
      {run.text ? <Markdown text={run.text} /> : <span class="typing" aria-hidden="true" />}
    </div>
  );
}
