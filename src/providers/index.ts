/**
 * The model-provider layer: a registry of providers and models, the auth-profile
 * store, and failover across them, all speaking the event contract in types.ts.
 * Importing this loads no SDK; each API's SDK is imported on first use.
 */
export { type AuthProfileStore, authProfilesPath, createAuthProfileStore } from "./auth-profiles.js";
export { MissingApiKeyError, ModelConfigError } from "./errors.js";
export {
  createFailover,
  type FailedAttempt,
  type Failover,
  type FailoverOptions,
  type FailoverRequest,
  type FailoverStreamOptions,
  type FallbackStep,
} from "./failover.js";
export {
  ANTHROPIC_FAST_MODE_BETA,
  DEFAULT_FAST_AUTO_ON_SECONDS,
  fastModePlan,
  parseFastMode,
} from "./fast-mode.js";
export { createModelRegistry, type ModelRegistry, type ProvidersConfig } from "./registry.js";
export {
  parseThinkingLevel,
  THINKING_LEVELS,
  type ThinkingLevel,
  thinkingChoices,
  thinkingForCall,
  thinkingProfile,
} from "./thinking.js";
export type * from "./types.js";
