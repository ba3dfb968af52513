import { useEffect, useRef, useState } from "preact/hooks";
import type { ScreenProps } from "../app.js";
import { loadMarkdown } from "../components/markdown.js";
import { inNav } from "../components/nav-slot.js";
import { randomId } from "../gateway.js";
import { useI18n } from "../i18n/index.js";
import { errorText, sessionFromHash } from "../util.js";
import { mainSessionKey, newSessionKey, useAgents } from "./agents.js";
import { entryIdOf, markdownOf, type TurnActions, useVersions } from "./chat-actions.js";
import { useActivity } from "./chat-activity.js";
import { Composer } from "./chat-composer.js";
import { filePart, type Outgoing, toWire } from "./chat-files.js";
import { useIdentity, useMinuteTick } from "./chat-meta.js";
import {
  type AgentEvent,
  type ChatEvent,
  fallbackOf,
  finishedTurn,
  historyToTurns,
  type LiveRun,
  type Turn,
  withToolEvent,
} from "./chat-model.js";
import { type HistoryAnswer, type SessionModel, sessionModelOf } from "./chat-model-picker.js";
import { LiveView, TurnView } from "./chat-turns.js";
import { SessionMenu } from "./session-menu.js";
import { SessionSidebar } from "./session-sidebar.js";

/** Messages loaded when a session opens: the recent conversation, not a whole year of it. */
const HISTORY_LIMIT = 200;
/** Within this many pixels of the end counts as "at the latest" (new output keeps it in view). */
const NEAR_END_PX = 80;

export function ChatScreen({ conn, nav }: ScreenProps) {
  const { t } = useI18n();
  const agents = useAgents(conn);
  // A link from the Sessions screen (`#/chat?session=…`) opens that session, under its agent.
  const [sessionKey, setSessionKey] = useState<string | undefined>(sessionFromHash);
  const [agentId, setAgentId] = useState<string | undefined>(() =>
    sessionKey?.startsWith("agent:") ? sessionKey.split(":")[1] : undefined,
  );
  const agent = agentId ?? agents[0] ?? "main";
  const key = sessionKey ?? mainSessionKey(agent);
  const [turns, setTurns] = useState<Turn[]>([]);
  const [live, setLive] = useState<LiveRun | undefined>();
  // Events arrive faster than renders: the latest run state lives in a ref, mirrored to state.
  const liveRef = useRef<LiveRun | undefined>(undefined);
  const updateLive = (run: LiveRun | undefined) => {
    liveRef.current = run;
    setLive(run);
  };
  const [pending, setPending] = useState<string[]>([]);
  const [sessionModel, setSessionModel] = useState<SessionModel>({});
  const [error, setError] = useState("");
  // Text put back in the composer by Edit (a new object each time, so the same text twice works).
  const [prefill, setPrefill] = useState<{ text: string }>();
  const [drawer, setDrawer] = useState(false);
  // A desktop's sessions list is in the navigation column (folded away there or not); a phone's is a drawer.
  const { folded, setFolded } = nav;
  const [title, setTitle] = useState<string | undefined>();
  const [atEnd, setAtEnd] = useState(true);
  // Bumped to read the conversation again (a branch switched to; a run after a rewind ended).
  const [reload, setReload] = useState(0);
  const rewound = useRef(false);
  const keyRef = useRef(key);
  keyRef.current = key;
  const list = useRef<HTMLDivElement>(null);
  const input = useRef<HTMLTextAreaElement>(null);
  const activity = useActivity(conn, key);
  const has = (method: string) => conn.hello.features?.methods?.includes(method) ?? false;
  const versions = useVersions(
    conn,
    key,
    () => setReload((n) => n + 1),
    (err) => setError(errorText(err)),
  );
  const identity = useIdentity(conn, agent);
  useMinuteTick();
  useEffect(() => void loadMarkdown(), []);

  useEffect(() => {
    setTurns([]);
    updateLive(undefined);
    setPending([]);
    setAtEnd(true);
    setSessionModel({});
    conn
      .request<HistoryAnswer>("chat.history", { sessionKey: key, limit: HISTORY_LIMIT })
      // Turns added while the history loaded (a message sent at once, a run that finished) stay after it.
      .then((res) => {
        if (keyRef.current !== key) return;
        setTurns((added) => [...historyToTurns(res.messages), ...added]);
        setSessionModel(sessionModelOf(res));
      })
      .catch((err) => setError(errorText(err)));
    versions.load();
  }, [conn, key, reload]);

  useEffect(
    () =>
      conn.on(({ event, payload }) => {
        if (event === "chat") onChat(payload as ChatEvent);
        else if (event === "agent") onAgent(payload as AgentEvent);
      }),
    [conn],
  );

  const toEnd = () => {
    const el = list.current;
    if (el) el.scrollTop = el.scrollHeight;
    setAtEnd(true);
  };
  // New output keeps the latest in view, unless the user scrolled up to read.
  useEffect(() => {
    if (atEnd) toEnd();
  }, [turns, live]);
  const onScroll = () => {
    const el = list.current;
    if (el) setAtEnd(el.scrollHeight - el.scrollTop - el.clientHeight < NEAR_END_PX);
  };

  function onChat(e: ChatEvent) {
    if (e.sessionKey !== keyRef.current) return;
    const run = liveRef.current?.runId === e.runId ? liveRef.current : undefined;
    if (e.state === "delta") {
      const text = e.message?.content?.map((b) => b.text ?? "").join("") ?? "";
      updateLive({ ...run, runId: e.runId, text, tools: run?.tools ?? [] });
      return;
    }
    setTurns((list) => [...list, finishedTurn(run, e)]);
    updateLive(undefined);
    // The new version's messages get their ids (and the "‹ 1/2 ›" its place) from the history.
    if (rewound.current) setReload((n) => n + 1);
    rewound.current = false;
    setPending((runs) => runs.filter((id) => id !== e.runId));
  }

  function onAgent(e: AgentEvent) {
    const run = liveRef.current;
    // A run of this session started: show it streaming at once (tool events carry no session key).
    if (e.stream === "lifecycle" && e.data.phase === "start" && e.data.sessionKey === keyRef.current) {
      if (run?.runId !== e.runId) updateLive({ runId: e.runId, text: "", tools: [] });
      return;
    }
    if (e.stream === "lifecycle" && run?.runId === e.runId) {
      const fallback = fallbackOf(e);
      if (fallback) updateLive({ ...run, fallback });
      return;
    }
    if (e.stream !== "tool" || !e.data.id || run?.runId !== e.runId) return;
    updateLive(withToolEvent(run, e));
  }

  const deliver = async (turn: Turn, message: string) => {
    const mark = (patch: Partial<Turn>) =>
      setTurns((list) => list.map((x) => (x.id === turn.id ? { ...x, ...patch } : x)));
    try {
      const ack = await conn.request<{ runId: string; status: string }>("chat.send", {
        sessionKey: key,
        message,
        idempotencyKey: turn.id,
        ...(turn.attachments?.length ? { attachments: turn.attachments } : {}),
      });
      mark({ sending: false, failed: undefined, runId: ack.runId });
      if (ack.status !== "ok") setPending((runs) => [...runs, ack.runId]);
    } catch (err) {
      mark({ sending: false, failed: errorText(err) });
    }
  };

  /** Shows a user message at once and sends it; the idempotency key makes a retry safe. */
  const post = (message: string, parts: Turn["parts"], attachments?: unknown[]) => {
    setError("");
    const turn: Turn = {
      id: randomId(),
      role: "user",
      parts,
      at: Date.now(),
      sending: true,
      ...(attachments?.length ? { attachments } : {}),
    };
    setTurns((list) => [...list, turn]);
    setAtEnd(true);
    void deliver(turn, message);
  };

  const send = (message: string, files: Outgoing[]) =>
    post(
      message,
      [...(message ? [{ kind: "text" as const, text: message }] : []), ...files.map(filePart)],
      files.map(toWire),
    );

  const retry = (turn: Turn) => {
    const text = turn.parts.map((p) => (p.kind === "text" ? p.text : "")).join("");
    setTurns((list) => list.map((x) => (x.id === turn.id ? { ...x, sending: true, failed: undefined } : x)));
    void deliver(turn, text);
  };

  const running = live !== undefined || pending.length > 0;

  /**
   * Rewinds the session to just before the user's `turn` (`sessions.rewind`: the
   * transcript keeps what is dropped, on a branch of its own) and drops it and what
   * followed from the view; returns the message's text.
   */
  const rewindTo = async (turn: Turn): Promise<string> => {
    const entryId = await entryIdOf(conn, key, turn);
    const res = await conn.request<{ editorText?: string }>("sessions.rewind", { sessionKey: key, entryId });
    rewound.current = true;
    setTurns((list) => {
      const at = list.findIndex((x) => x.id === turn.id);
      return at < 0 ? list : list.slice(0, at);
    });
    return res.editorText ?? markdownOf(turn);
  };
  const edit = async (turn: Turn) => {
    const later = turns.slice(turns.indexOf(turn) + 1).some((x) => x.role === "user");
    if (later && !window.confirm(t("chat.editConfirm"))) return;
    try {
      setPrefill({ text: await rewindTo(turn) });
      versions.load();
      setError("");
    } catch (err) {
      setError(errorText(err));
    }
  };
  const regenerate = async (answer: Turn) => {
    const question = turns
      .slice(0, turns.indexOf(answer))
      .reverse()
      .find((x) => x.role === "user");
    if (!question) return;
    try {
      post(await rewindTo(question), question.parts, question.attachments);
    } catch (err) {
      setError(errorText(err));
    }
  };
  /** A new session from before the user's `turn` (`sessions.fork`), opened with the message in its composer. */
  const fork = async (turn: Turn) => {
    try {
      const entryId = await entryIdOf(conn, key, turn);
      const res = await conn.request<{ sessionKey: string; editorText?: string }>("sessions.fork", {
        sessionKey: key,
        entryId,
      });
      open(res.sessionKey);
      setPrefill({ text: res.editorText ?? markdownOf(turn) });
    } catch (err) {
      setError(errorText(err));
    }
  };
  const canRewind = !running && has("sessions.rewind");
  const lastAnswer = [...turns].reverse().find((x) => x.role === "assistant");
  const actionsFor = (turn: Turn): TurnActions =>
    !canRewind
      ? {}
      : turn.role === "user"
        ? { onEdit: (x) => void edit(x), ...(has("sessions.fork") ? { onFork: (x) => void fork(x) } : {}) }
        : turn === lastAnswer
          ? { onRegenerate: (x) => void regenerate(x) }
          : {};
  const stop = async () => {
    try {
      await conn.request("chat.abort", { sessionKey: key, ...(live ? { runId: live.runId } : {}) });
    } catch (err) {
      setError(errorText(err));
    }
  };

  const open = (next: string) => {
    setSessionKey(next);
    setDrawer(false);
  };
  const newSession = () => {
    open(newSessionKey(agent));
    input.current?.focus();
  };

  // Desktop shortcuts: Ctrl/⌘+Shift+O new session, "/" the composer, Esc stops a run.
  const shortcuts = useRef<(e: KeyboardEvent) => void>(() => undefined);
  shortcuts.current = (e) => {
    const typing = e.target instanceof HTMLElement && e.target.matches("input, textarea, select");
    if ((e.ctrlKey || e.metaKey) && e.shiftKey && e.key.toLowerCase() === "o") {
      e.preventDefault();
      newSession();
    } else if (e.key === "/" && !typing) {
      e.preventDefault();
      input.current?.focus();
    } else if (e.key === "Escape" && running) {
      void stop();
    } else if (e.key === "Escape" && drawer) setDrawer(false);
  };
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => shortcuts.current(e);
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  return (
    <section class={`chat${drawer ? " drawer-open" : ""}`}>
      {inNav(
        nav,
        <SessionSidebar
          conn={conn}
          agent={agent}
          agents={agents}
          onAgent={(id) => {
            setAgentId(id);
            setSessionKey(undefined);
          }}
          current={key}
          onSelect={open}
          onNew={newSession}
          running={activity.running}
          unread={activity.unread}
          refresh={activity.ended}
          onTitle={setTitle}
          onRows={activity.seed}
        />,
      )}
      <button type="button" class="scrim" aria-label={t("common.close")} onClick={() => setDrawer(false)} />
      <div class="chat-main">
        {/* A breadcrumb (agent / session) and, at its end, the sessions list's toggle. */}
        <div class="chat-head">
          <span class="crumb muted">{agent}</span>
          <span class="chat-title" id="chat-session" data-key={key} title={key}>
            {title ? <strong>{title}</strong> : key}
            {title && <span class="muted small"> {key}</span>}
          </span>
          {activity.running.has(key) && <span class="running" title={t("sessions.running")} />}
          <button
            type="button"
            class="ghost drawer-toggle"
            id="drawer-toggle"
            title={t("nav.sessions")}
            aria-expanded={drawer}
            onClick={() => setDrawer(!drawer)}
          >
            {t("nav.sessions")}
          </button>
          <button
            type="button"
            class="ghost"
            id="side-toggle"
            title={t("nav.sessions")}
            aria-expanded={!folded}
            onClick={() => setFolded(!folded)}
          >
            {t("nav.sessions")}
          </button>
          <SessionMenu conn={conn} sessionKey={key} onOpen={open} onReload={setReload} onError={setError} />
        </div>
        <div class="messages" id="messages" ref={list} onScroll={onScroll} aria-live="polite">
          {turns.length === 0 && !live && <p class="muted empty">{t("chat.empty")}</p>}
          {turns.map((turn) => (
            <TurnView
              key={turn.id}
              turn={turn}
              identity={identity}
              onRetry={retry}
              actions={actionsFor(turn)}
              branch={turn.entryId && !running && versions.nav(turn.entryId)}
            />
          ))}
          {!running && versions.nav(null)}
          {live && <LiveView run={live} identity={identity} />}
          {running && !live && (
            <div class="msg assistant waiting" role="status" aria-label={t("chat.waiting")} />
          )}
        </div>
        {!atEnd && (
          <button type="button" class="jump" id="jump-latest" onClick={toEnd}>
            {t("chat.jumpLatest")}
          </button>
        )}
        {error && (
          <p class="banner error" role="alert">
            {error}
          </p>
        )}
        <Composer
          conn={conn}
          sessionKey={key}
          sessionModel={sessionModel}
          running={running}
          inputRef={input}
          onSend={send}
          onStop={stop}
          prefill={prefill}
        />
      </div>
    </section>
  );
}
