import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import type { GatewayConnection } from "../gateway.js";
import type { SessionRow } from "./agents.js";
import type { AgentEvent } from "./chat-model.js";

/** Ended run ids remembered (for `useActivity`); far more than runs that end while a page loads. */
const MAX_ENDED_RUNS = 256;
/**
 * Which sessions have a run going (agent lifecycle start/end, for every session) and which
 * finished one while the user looked elsewhere; `ended` counts finished runs and
 * `sessions.changed` events (a session patched, reset or deleted elsewhere).
 */
export function useActivity(conn: GatewayConnection, current: string) {
  const [running, setRunning] = useState<ReadonlyMap<string, string>>(new Map());
  const [unread, setUnread] = useState<ReadonlySet<string>>(new Set());
  const [ended, setEnded] = useState(0);
  // Runs seen ending, so a list fetched before the end was heard does not mark them running again.
  const endedRuns = useRef(new Set<string>());
  const currentRef = useRef(current);
  currentRef.current = current;
  useEffect(() => {
    setUnread((set) => (set.has(current) ? new Set([...set].filter((k) => k !== current)) : set));
  }, [current]);
  useEffect(
    () =>
      conn.on(({ event, payload }) => {
        // Another tab or client archived, renamed, pinned, reset or deleted a session: the list is fetched again.
        const reason = event === "sessions.changed" && (payload as { reason?: string }).reason;
        if (reason && reason !== "run-start" && reason !== "run-end") setEnded((n) => n + 1);
        if (event !== "agent") return;
        const e = payload as AgentEvent;
        if (e.stream !== "lifecycle") return;
        if (e.data.phase === "start" && e.data.sessionKey) {
          const key = e.data.sessionKey;
          setRunning((m) => new Map(m).set(e.runId, key));
          return;
        }
        // Other phases (fallback, …) happen while the run goes on.
        if (e.data.phase !== "end" && e.data.phase !== "error") return;
        endedRuns.current.add(e.runId);
        if (endedRuns.current.size > MAX_ENDED_RUNS) {
          endedRuns.current.delete(endedRuns.current.values().next().value ?? "");
        }
        setRunning((m) => {
          const key = m.get(e.runId);
          if (key && key !== currentRef.current) setUnread((set) => new Set(set).add(key));
          const copy = new Map(m);
          copy.delete(e.runId);
          return copy;
        });
        setEnded((n) => n + 1);
      }),
    [conn],
  );
  useEffect(() => {
    if (conn.hello.features?.methods?.includes("sessions.subscribe"))
      conn.request("sessions.subscribe", {}).catch(() => {});
  }, [conn]);
  const runningKeys = useMemo(() => new Set(running.values()), [running]);
  /** Runs a `sessions.list` page says are going (a page opened mid-run has heard no start). */
  const seed = (rows: readonly SessionRow[]) =>
    setRunning((m) => {
      let copy: Map<string, string> | undefined;
      for (const row of rows) {
        for (const id of row.activeRunIds ?? []) {
          if (m.has(id) || endedRuns.current.has(id)) continue;
          copy ??= new Map(m);
          copy.set(id, row.key);
        }
      }
      return copy ?? m;
    });
  return { running: runningKeys, unread, ended, seed };
}
