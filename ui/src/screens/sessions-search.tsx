import { useState } from "preact/hooks";
import type { GatewayConnection } from "../gateway.js";
import { useI18n } from "../i18n/index.js";
import { chatLink, errorText, formatTime } from "../util.js";

interface Hit {
  sessionKey: string;
  messageId: string;
  role: string;
  timestamp: string;
  snippet: string;
  archived?: boolean;
}
interface Answer {
  results: Hit[];
  sessions: { key: string; label?: string; displayName?: string }[];
  truncated: boolean;
  indexing: boolean;
  scanLimited?: boolean;
}

/** Matches asked for at once (OpenClaw's UI asks for 25; a screen of snippets holds about that). */
const RESULTS = 25;

/** The snippet with the query's occurrences marked (text only: nothing from the model is parsed as HTML). */
function marked(snippet: string, query: string) {
  const q = query.trim().toLowerCase();
  const parts: (string | preact.JSX.Element)[] = [];
  const lower = snippet.toLowerCase();
  let at = 0;
  for (let i = q ? lower.indexOf(q) : -1; i >= 0; i = lower.indexOf(q, at)) {
    parts.push(snippet.slice(at, i), <mark key={i}>{snippet.slice(i, i + q.length)}</mark>);
    at = i + q.length;
  }
  parts.push(snippet.slice(at));
  return parts;
}

/** Searches what was said in the agent's sessions (`sessions.search`); a result opens the session in chat. */
export function TranscriptSearch(props: { conn: GatewayConnection; agent: string; status: string }) {
  const { t, lang } = useI18n();
  const [query, setQuery] = useState("");
  const [answer, setAnswer] = useState<Answer & { query: string }>();
  const [error, setError] = useState("");
  const run = async (e: Event) => {
    e.preventDefault();
    const q = query.trim();
    setError("");
    if (!q) return setAnswer(undefined);
    try {
      const archived = props.status === "all" ? "all" : props.status === "archived" ? true : undefined;
      const res = await props.conn.request<Answer>("sessions.search", {
        query: q,
        limit: RESULTS,
        scope: { agentId: props.agent, ...(archived === undefined ? {} : { archived }) },
      });
      setAnswer({ ...res, query: q });
    } catch (err) {
      setError(errorText(err));
    }
  };
  const label = (key: string) => {
    const row = answer?.sessions.find((s) => s.key === key);
    return row?.label ?? row?.displayName ?? key;
  };
  return (
    <div class="transcript-search">
      <form class="toolbar" onSubmit={run}>
        <input
          type="search"
          id="transcript-search"
          placeholder={t("sessions.transcriptSearch")}
          aria-label={t("sessions.transcriptSearch")}
          value={query}
          onInput={(e) => setQuery((e.currentTarget as HTMLInputElement).value)}
        />
        <button type="submit">{t("sessions.searchAction")}</button>
      </form>
      {error && (
        <p class="banner error" role="alert">
          {error}
        </p>
      )}
      {answer && (
        <div id="transcript-results">
          <p class="muted small">
            {answer.results.length === 0
              ? t("sessions.noMatches")
              : t("sessions.matches", { count: answer.results.length })}
            {answer.truncated && ` ${t("sessions.matchesTruncated", { count: RESULTS })}`}
            {answer.indexing && ` ${t("sessions.indexing")}`}
            {answer.scanLimited && ` ${t("sessions.shortQuery")}`}
          </p>
          <ul class="hits">
            {answer.results.map((hit) => (
              <li key={`${hit.sessionKey}/${hit.messageId}`} data-key={hit.sessionKey}>
                <a href={chatLink(hit.sessionKey)}>
                  <span class="hit-head">
                    <strong>{label(hit.sessionKey)}</strong>
                    <span class="muted small">
                      {t(hit.role === "user" ? "sessions.roleUser" : "sessions.roleAssistant")} ·{" "}
                      {formatTime(hit.timestamp, lang)}
                      {hit.archived ? ` · ${t("sessions.archivedBadge")}` : ""}
                    </span>
                  </span>
                  <span class="hit-snippet">{marked(hit.snippet, answer.query)}</span>
                </a>
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
