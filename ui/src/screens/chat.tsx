import { useEffect, useRef, useState } from "preact/hooks";
import type { ScreenProps } from "../app.js";
import { randomId } from "../gateway.js";
import { useI18n } from "../i18n/index.js";
import { errorText } from "../util.js";
import { listSessions, mainSessionKey, type SessionRow, useAgents } from "./agents.js";

type Block =
  | { type: "text"; text: string }
  | { type: "thinking"; thinking?: string }
  | { type: "toolCall"; id: string; name: string; arguments: unknown }
  | { type: "image" };

interface ChatMessage {
  role: "user" | "assistant" | "toolResult";
  content: string | Block[];
  toolName?: string;
  isError?: boolean;
  /** UI-only: how the run ended when it did not finish normally. */
  ended?: "aborted" | "error";
  errorMessage?: string;
}

interface ToolCall {
  id: string;
  name: string;
  args?: unknown;
  result?: string;
  isError?: boolean;
  done: boolean;
}

interface LiveRun {
  runId: string;
  text: string;
  tools: ToolCall[];
}

interface ChatEvent {
  runId: string;
  sessionKey: string;
  state: "delta" | "final" | "aborted" | "error";
  message?: { content?: { type: string; text?: string }[] };
  errorMessage?: string;
}

interface AgentEvent {
  runId: string;
  stream: string;
  data: { phase?: string; id?: string; name?: string; args?: unknown; result?: string; isError?: boolean };
}

function textOf(content: ChatMessage["content"] | undefined): string {
  if (content === undefined) return "";
  if (typeof content === "string") return content;
  return content
    .filter((b): b is { type: "text"; text: string } => b.type === "text")
    .map((b) => b.text)
    .join("");
}

function pretty(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value, null, 2);
}

function ToolDetails(props: {
  name: string;
  args?: unknown;
  result?: string;
  isError?: boolean;
  running?: boolean;
}) {
  const { t } = useI18n();
  return (
    <details class={`tool${props.isError ? " failed" : ""}`}>
      <summary>
        {t("chat.tool", { name: props.name })}
        {props.running && <span class="muted"> · {t("chat.toolRunning")}</span>}
        {props.isError && <span> · {t("chat.toolFailed")}</span>}
      </summary>
      {props.args !== undefined && <pre>{pretty(props.args)}</pre>}
      {props.result !== undefined && <pre class="result">{props.result}</pre>}
    </details>
  );
}

function MessageView({ message }: { message: ChatMessage }) {
  const { t } = useI18n();
  if (message.role === "toolResult") {
    return (
      <ToolDetails
        name={message.toolName ?? "?"}
        result={textOf(message.content)}
        isError={message.isError ?? false}
      />
    );
  }
  const blocks =
    typeof message.content === "string"
      ? [{ type: "text", text: message.content } as Block]
      : message.content;
  return (
    <div class={`msg ${message.role}`} data-role={message.role}>
      {blocks.map((block, i) => {
        if (block.type === "text") return <p key={i}>{block.text}</p>;
        if (block.type === "toolCall")
          return <ToolDetails key={i} name={block.name} args={block.arguments} />;
        return null;
      })}
      {message.ended === "aborted" && <p class="muted small">{t("chat.stopped")}</p>}
      {message.ended === "error" && <p class="banner error small">{message.errorMessage}</p>}
    </div>
  );
}

export function ChatScreen({ conn }: ScreenProps) {
  const { t } = useI18n();
  const agents = useAgents(conn);
  const [agentId, setAgentId] = useState<string | undefined>();
  const agent = agentId ?? agents[0] ?? "main";
  const [sessions, setSessions] = useState<SessionRow[]>([]);
  const [sessionKey, setSessionKey] = useState<string | undefined>();
  const key = sessionKey ?? mainSessionKey(agent);
  const [messages, setMessages] = useState<ChatMessage[]>([]);
  const [live, setLive] = useState<LiveRun | undefined>();
  // Events arrive faster than renders: the latest run state lives in a ref, mirrored to state.
  const liveRef = useRef<LiveRun | undefined>(undefined);
  const updateLive = (run: LiveRun | undefined) => {
    liveRef.current = run;
    setLive(run);
  };
  const [pending, setPending] = useState<string[]>([]);
  const [draft, setDraft] = useState("");
  const [error, setError] = useState("");
  const keyRef = useRef(key);
  keyRef.current = key;
  const endRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    listSessions(conn, agent)
      .then(setSessions)
      .catch((err) => setError(errorText(err)));
  }, [conn, agent]);

  useEffect(() => {
    setMessages([]);
    updateLive(undefined);
    setPending([]);
    conn
      .request<{ messages: ChatMessage[] }>("chat.history", { sessionKey: key, limit: 200 })
      .then((res) => keyRef.current === key && setMessages(res.messages))
      .catch((err) => setError(errorText(err)));
  }, [conn, key]);

  useEffect(
    () =>
      conn.on(({ event, payload }) => {
        if (event === "chat") onChat(payload as ChatEvent);
        else if (event === "agent") onAgent(payload as AgentEvent);
      }),
    [conn],
  );

  useEffect(() => endRef.current?.scrollIntoView?.({ block: "end" }), [messages, live]);

  function onChat(e: ChatEvent) {
    if (e.sessionKey !== keyRef.current) return;
    const text = e.message?.content?.map((b) => b.text ?? "").join("") ?? "";
    const run = liveRef.current?.runId === e.runId ? liveRef.current : undefined;
    if (e.state === "delta") {
      updateLive({ runId: e.runId, text, tools: run?.tools ?? [] });
      return;
    }
    // The run ended: its streamed text and tool calls become an ordinary message.
    const blocks: Block[] = [
      ...(run?.tools ?? []).map((tool) => ({
        type: "toolCall" as const,
        id: tool.id,
        name: tool.name,
        arguments: tool.args,
      })),
      ...(text ? [{ type: "text" as const, text }] : []),
    ];
    const ended = e.state === "final" ? undefined : e.state;
    setMessages((list) => [
      ...list,
      { role: "assistant", content: blocks, ended, errorMessage: e.errorMessage ?? "" },
    ]);
    updateLive(undefined);
    setPending((runs) => runs.filter((id) => id !== e.runId));
  }

  function onAgent(e: AgentEvent) {
    if (e.stream !== "tool" || !e.data.id) return;
    const { id, name = "?", phase } = e.data;
    const run = liveRef.current;
    const base = run?.runId === e.runId ? run : { runId: e.runId, text: "", tools: [] };
    const prior = base.tools.find((tool) => tool.id === id);
    const tool: ToolCall =
      phase === "end"
        ? { id, name, args: prior?.args, result: e.data.result, isError: e.data.isError ?? false, done: true }
        : { id, name, args: e.data.args, done: false };
    updateLive({ ...base, tools: [...base.tools.filter((t) => t.id !== id), tool] });
  }

  const send = async (e: Event) => {
    e.preventDefault();
    const message = draft.trim();
    if (!message) return;
    setDraft("");
    setError("");
    setMessages((list) => [...list, { role: "user", content: message }]);
    try {
      const ack = await conn.request<{ runId: string; status: string }>("chat.send", {
        sessionKey: key,
        message,
        idempotencyKey: randomId(),
      });
      if (ack.status !== "ok") setPending((runs) => [...runs, ack.runId]);
    } catch (err) {
      setError(errorText(err));
    }
  };

  const stop = async () => {
    try {
      await conn.request("chat.abort", { sessionKey: key, ...(live ? { runId: live.runId } : {}) });
    } catch (err) {
      setError(errorText(err));
    }
  };

  const newSession = () => setSessionKey(`agent:${agent}:ui-${randomId().slice(0, 8)}`);
  const running = live !== undefined || pending.length > 0;
  const sessionKeys = [...new Set([mainSessionKey(agent), key, ...sessions.map((s) => s.key)])];

  return (
    <section class="chat">
      <div class="toolbar">
        <label>
          {t("chat.agent")}
          <select
            id="chat-agent"
            value={agent}
            onChange={(e) => {
              setAgentId((e.currentTarget as HTMLSelectElement).value);
              setSessionKey(undefined);
            }}
          >
            {agents.map((id) => (
              <option key={id} value={id}>
                {id}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t("chat.session")}
          <select
            id="chat-session"
            value={key}
            onChange={(e) => setSessionKey((e.currentTarget as HTMLSelectElement).value)}
          >
            {sessionKeys.map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
        </label>
        <button type="button" class="secondary" onClick={newSession}>
          {t("chat.newSession")}
        </button>
      </div>
      <div class="messages" id="messages" aria-live="polite">
        {messages.length === 0 && !live && <p class="muted">{t("chat.empty")}</p>}
        {messages.map((m, i) => (
          <MessageView key={i} message={m} />
        ))}
        {live && (
          <div class="msg assistant streaming" id="streaming" data-run-id={live.runId}>
            {live.tools.map((tool) => (
              <ToolDetails
                key={tool.id}
                name={tool.name}
                args={tool.args}
                result={tool.result}
                isError={tool.isError ?? false}
                running={!tool.done}
              />
            ))}
            <p>{live.text || "…"}</p>
          </div>
        )}
        <div ref={endRef} />
      </div>
      {error && (
        <p class="banner error" role="alert">
          {error}
        </p>
      )}
      <form class="composer" id="chat-form" onSubmit={send}>
        <textarea
          id="chat-input"
          rows={3}
          placeholder={t("chat.placeholder")}
          value={draft}
          onInput={(e) => setDraft((e.currentTarget as HTMLTextAreaElement).value)}
          onKeyDown={(e) => {
            if (e.key === "Enter" && !e.shiftKey && !e.isComposing) void send(e);
          }}
        />
        <div class="actions">
          <button type="submit" id="chat-send" disabled={!draft.trim()}>
            {t("chat.send")}
          </button>
          {running && (
            <button type="button" class="danger" id="chat-stop" onClick={stop}>
              {t("chat.stop")}
            </button>
          )}
        </div>
      </form>
    </section>
  );
}
