import { z } from "zod";
import { ErrorCodes, GatewayRequestError } from "../protocol.js";
import { defineMethod } from "./types.js";

/**
 * Reads OpenClaw's Control UI makes on every page, whatever `features.methods` says, of
 * features this gateway does not have. Each answer is the truth about this gateway (an
 * empty list because there is no such queue, no update channel), never a success for an
 * action: nothing here changes state. Documented one by one in docs/compatibility.md.
 */

const anyParams = z.object({}).passthrough().optional();
const bySession = z.object({ sessionKey: z.string().min(1).max(512) }).passthrough();

/** The approval queues OpenClaw has (exec, plugin, its own): this gateway asks no one before acting, so each is empty. */
const emptyApprovals = defineMethod({ scope: "operator.read", params: anyParams, handle: () => [] });

export const absentFeatureMethods = {
  /** No update channel is configured: this gateway is updated by reinstalling its package. */
  "update.status": defineMethod({
    scope: "operator.admin",
    params: anyParams,
    handle: (_p, { gateway }) => ({
      currentVersion: gateway.version,
      sentinel: null,
      updateAvailable: null,
      effectiveChannel: null,
      schedule: null,
    }),
  }),
  "exec.approval.list": emptyApprovals,
  "plugin.approval.list": emptyApprovals,
  "openclaw.approval.list": emptyApprovals,
  /** The agent has no tool that asks the user a question and waits: none is ever pending. */
  "question.list": defineMethod({
    scope: "operator.read",
    params: anyParams,
    handle: () => ({ questions: [] }),
  }),
  /** No background task registry (sub-agents, long tasks): a session has no tasks. */
  "tasks.list": defineMethod({ scope: "operator.read", params: anyParams, handle: () => ({ tasks: [] }) }),
  /** No progress cards: a run reports through `chat` and `agent` events only. */
  "progressCard.get": defineMethod({
    scope: "operator.read",
    params: bySession,
    handle: () => ({ card: null }),
  }),
  /** No companion (side-chat) feature: a session has no companion exchanges. */
  "sessions.companion.state": defineMethod({
    scope: "operator.read",
    params: bySession,
    handle: () => ({ exchanges: [] }),
  }),
  /**
   * Themes are the Control UI's own; this gateway stores none and no choice: the list is
   * empty and the current theme is the UI's default.
   */
  "themes.list": defineMethod({
    scope: "operator.read",
    params: anyParams,
    handle: () => ({
      current: { id: "claw", mode: "system", scope: "default", overrides: {} },
      theme: { id: "claw", name: "Claw", source: "builtin", modes: ["light", "dark"] },
      themes: [],
    }),
  }),
  /** OpenClaw's own answer when it runs without a session observer, which this gateway never has. */
  "sessions.observer.visibility": defineMethod({
    scope: "operator.read",
    params: z.object({ visible: z.boolean() }).passthrough(),
    handle: () => {
      throw new GatewayRequestError(ErrorCodes.UNAVAILABLE, "Session observer is unavailable.");
    },
  }),
};
