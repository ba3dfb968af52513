import { z } from "zod";
import { NoModelConfiguredError } from "../../agents/model-cache.js";
import {
  parseThinkingLevel,
  THINKING_LEVELS,
  type ThinkingLevel,
  thinkingProfile,
} from "../../providers/index.js";
import type { GatewayContext } from "../context.js";
import { ErrorCodes, GatewayRequestError } from "../protocol.js";

/**
 * A session's thinking level over the gateway (`sessions.patch`/`patchMany`/`create
 * { thinkingLevel }`, `chat.send { thinking }` for one turn): a level of OpenClaw's ladder,
 * in any spelling `/think` takes, checked against what the session's model offers.
 */

/** The level as sent: a string (checked in `thinkingLevelFor`, which says what the model offers). */
export const thinkingLevelParam = z.string().min(1).max(32);

/**
 * The canonical level for a session whose next turn starts on `override` (else the agent's
 * model): refused, with the choices, when it is no level or one the model does not offer.
 * With no model configured yet any level is kept (the model chosen later fits it).
 */
export function thinkingLevelFor(
  gateway: GatewayContext,
  key: string,
  override: string | undefined,
  raw: string,
): ThinkingLevel {
  const level = parseThinkingLevel(raw);
  if (!level) {
    throw new GatewayRequestError(
      ErrorCodes.INVALID_REQUEST,
      `thinkingLevel "${raw}" is not a level: use ${THINKING_LEVELS.join(", ")} (null clears this session's choice)`,
    );
  }
  const model = firstModel(gateway, key, override);
  if (!model) return level;
  const offered = thinkingProfile(model)?.levels ?? ["off"];
  if (!offered.includes(level)) {
    throw new GatewayRequestError(
      ErrorCodes.INVALID_REQUEST,
      `thinkingLevel "${level}" is not offered by ${model.ref.provider}/${model.ref.model}: use ${offered.join(", ")}`,
    );
  }
  return level;
}

/** `chat.send { thinking }`: a level for one turn; the failover fits it to each model it tries. */
export function oneTurnThinking(raw: string): ThinkingLevel {
  const level = parseThinkingLevel(raw);
  if (level) return level;
  throw new GatewayRequestError(
    ErrorCodes.INVALID_REQUEST,
    `thinking "${raw}" is not a level: use ${THINKING_LEVELS.join(", ")}`,
  );
}

function firstModel(gateway: GatewayContext, key: string, override: string | undefined) {
  try {
    const [first] = gateway.agents.modelChain(gateway.agents.agentFor(key), override);
    return first ? gateway.agents.registry().resolve(first) : undefined;
  } catch (err) {
    if (err instanceof NoModelConfiguredError) return undefined;
    throw err;
  }
}
