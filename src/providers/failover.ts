import { createLogger, registerSecret } from "../infra/logger.js";
import { loadAdapter as loadBuiltinAdapter } from "./adapters/index.js";
import type { AuthProfileStore } from "./auth-profiles.js";
import { Cooldowns } from "./cooldown.js";
import { MissingApiKeyError, ModelConfigError } from "./errors.js";
import { fastForCall } from "./fast-mode.js";
import type { Credential, ModelRegistry } from "./registry.js";
import { type ThinkingLevel, thinkingForCall } from "./thinking.js";
import type {
  AnsweredBy,
  FastMode,
  ModelApi,
  ModelRef,
  ProviderAdapter,
  ResolvedModel,
  StreamError,
  StreamEvent,
  StreamOptions,
  StreamRequest,
} from "./types.js";
import { emptyUsage } from "./types.js";

const log = createLogger("providers");

export interface FailoverOptions {
  registry: ModelRegistry;
  /** The agent's auth-profile store; loaded on first use. */
  profiles?: AuthProfileStore;
  /** Clock for cooldowns (tests inject one). */
  now?: () => number;
  /** No data for this long (before the response, or between events) ends an attempt as a timeout. */
  idleTimeoutMs?: number;
  loadAdapter?: (api: ModelApi) => Promise<ProviderAdapter>;
}

/** A request for the first model that can answer it: primary first, then fallbacks. */
export interface FailoverRequest extends Omit<StreamRequest, "model" | "apiKey" | "fast" | "thinking"> {
  models: ModelRef[];
  /**
   * The session's (or this turn's) Fast mode; each model's `params.fastMode` when unset.
   * Resolved per attempt: `"auto"` is on only for calls started before the model's cutoff
   * after `turnStartedAtMs` (retries, fallbacks and tool rounds later run without).
   */
  fastMode?: FastMode;
  turnStartedAtMs?: number;
  /** The turn's or session's thinking level; fitted to each model tried (a fallback may offer others). */
  thinkingLevel?: ThinkingLevel;
}

/** One failed attempt, as a fallback step reports it (the message is already free of keys). */
export interface FailedAttempt {
  model: ModelRef;
  error: StreamError;
}

/**
 * The failover is about to try another model than the one it tried last (or than the
 * primary, when the primary is cooling down): `selected` is the primary, `to` the model
 * now tried, `attempts` what failed so far in this request.
 */
export interface FallbackStep {
  selected: ModelRef;
  from: ModelRef;
  to: ModelRef;
  attempts: FailedAttempt[];
}

export interface FailoverStreamOptions extends StreamOptions {
  /** Told before each move to another model, so a UI can say "retrying with a fallback". */
  onFallback?(step: FallbackStep): void;
}

export interface Failover {
  /**
   * Streams from the first model (and auth profile) that answers. Before the first
   * token, a retryable failure moves on: 401/403/429 to the provider's next profile,
   * then the next model; 429/529/5xx, timeouts, resets and cuts to the next model.
   * A 400-class error ends the stream. After the first token a failure ends the
   * stream with an error event; nothing is restarted behind the caller's back.
   * `start`, `done` and `error` carry `answeredBy`; `onFallback` hears each move to
   * another model.
   */
  stream(request: FailoverRequest, options?: FailoverStreamOptions): AsyncGenerator<StreamEvent>;
}

interface Attempt {
  model: ResolvedModel;
  credential: Credential;
}

type AttemptResult = { committed: true } | { committed: false; error: StreamError };

const DEFAULT_IDLE_TIMEOUT_MS = 120_000;
/** Failures that say "this key", not "this model": try the provider's next key first. */
const KEY_FAILURES = new Set(["auth", "rate_limit"]);

export function createFailover(opts: FailoverOptions): Failover {
  const health = new AttemptHealth(opts.now ?? Date.now, opts.profiles);
  const runner: AttemptRunner = {
    loadAdapter: opts.loadAdapter ?? loadBuiltinAdapter,
    now: opts.now ?? Date.now,
    idleTimeoutMs: opts.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
    health,
  };
  let profilesLoaded: Promise<void> | undefined;
  return {
    async *stream(request, { signal, onFallback } = {}) {
      if (opts.profiles) {
        // Read once; a broken file fails this request and is read again on the next.
        profilesLoaded ??= opts.profiles.load().catch((err: unknown) => {
          profilesLoaded = undefined;
          throw err;
        });
        await profilesLoaded;
      }
      const attempts = planAttempts(opts.registry, opts.profiles, request.models, health);
      const failedModels = new Set<string>();
      let last: StreamError = { kind: "connection", message: "no attempt was made" };
      let lastBy: AnsweredBy | undefined;
      const failed: FailedAttempt[] = [];
      const selected = request.models[0];
      let previous = selected;
      for (const a of attempts) {
        if (failedModels.has(modelKey(a.model.ref))) continue;
        if (selected && previous && modelKey(a.model.ref) !== modelKey(previous)) {
          onFallback?.({ selected, from: previous, to: a.model.ref, attempts: [...failed] });
        }
        previous = a.model.ref;
        const result = yield* runAttempt(runner, a, request, signal);
        if (result.committed) return;
        last = result.error;
        lastBy = answeredByOf(a);
        failed.push({ model: a.model.ref, error: last });
        if (last.kind === "aborted" || last.kind === "bad_request") break;
        health.penalize(a, last);
        if (!KEY_FAILURES.has(last.kind)) failedModels.add(modelKey(a.model.ref));
        log.warn(
          `${labelOf(a)} via ${a.credential.source} failed before the first token (${last.kind}${last.status ? ` ${last.status}` : ""}): ${last.message}; trying the next`,
        );
      }
      const final = last.kind === "aborted" || last.kind === "bad_request";
      const message = final ? last.message : `every model failed; last error: ${last.message}`;
      yield errorEvent({ ...last, message }, lastBy);
    },
  };
}

const modelKey = (ref: ModelRef) => `model:${ref.provider}/${ref.model}`;
const labelOf = (a: Attempt) => `${a.model.ref.provider}/${a.model.ref.model}`;

/**
 * Which models and keys are cooling down after failures: a key failure (auth, rate limit)
 * cools the auth profile (kept in the profile store) or the bare key, any other the model.
 */
class AttemptHealth {
  private readonly cooldowns: Cooldowns;

  constructor(
    private readonly now: () => number,
    private readonly profiles: AuthProfileStore | undefined,
  ) {
    this.cooldowns = new Cooldowns(now);
  }

  isCooling(a: Attempt): boolean {
    if (this.cooldowns.isCooling(modelKey(a.model.ref))) return true;
    return a.credential.profileId
      ? (this.profiles?.isCoolingDown(a.credential.profileId, this.now()) ?? false)
      : this.cooldowns.isCooling(credentialKey(a));
  }

  penalize(a: Attempt, error: StreamError): void {
    if (error.kind === "aborted" || error.kind === "bad_request") return;
    const keyFailure = KEY_FAILURES.has(error.kind);
    if (keyFailure && a.credential.profileId && this.profiles) {
      this.profiles.recordFailure(a.credential.profileId, this.now(), error.retryAfterMs);
    } else {
      this.cooldowns.fail(keyFailure ? credentialKey(a) : modelKey(a.model.ref), error.retryAfterMs);
    }
  }

  reward(a: Attempt): void {
    this.cooldowns.succeed(modelKey(a.model.ref));
    if (a.credential.profileId && this.profiles)
      this.profiles.recordSuccess(a.credential.profileId, this.now());
    else this.cooldowns.succeed(credentialKey(a));
  }
}

const credentialKey = (a: Attempt) =>
  a.credential.profileId ?? `key:${a.model.ref.provider}:${a.credential.source}`;

/** Every (model, key) pair to try, cooling ones moved to the end. */
function planAttempts(
  registry: ModelRegistry,
  profiles: AuthProfileStore | undefined,
  models: ModelRef[],
  health: AttemptHealth,
): Attempt[] {
  const attempts: Attempt[] = [];
  const problems: Error[] = [];
  for (const ref of models) {
    try {
      const model = registry.resolve(ref);
      for (const credential of registry.requireCredentials(ref.provider, profiles)) {
        registerSecret(credential.key);
        attempts.push({ model, credential });
      }
    } catch (err) {
      if (!(err instanceof MissingApiKeyError || err instanceof ModelConfigError)) throw err;
      log.warn(`skipping ${ref.provider}/${ref.model}: ${err.message}`);
      problems.push(err);
    }
  }
  if (!attempts.length)
    throw problems[0] ?? new ModelConfigError("No model configured: set agents.defaults.model.");
  const cooling = (a: Attempt) => health.isCooling(a);
  return [...attempts.filter((a) => !cooling(a)), ...attempts.filter(cooling)];
}

interface AttemptRunner {
  loadAdapter: (api: ModelApi) => Promise<ProviderAdapter>;
  now: () => number;
  idleTimeoutMs: number;
  health: AttemptHealth;
}

/**
 * One model and key. Until the first token a failure returns (uncommitted) for the next
 * attempt; after it, events pass through and a failure ends the stream as an error event.
 */
async function* runAttempt(
  { loadAdapter, now, idleTimeoutMs, health }: AttemptRunner,
  a: Attempt,
  request: FailoverRequest,
  signal: AbortSignal | undefined,
): AsyncGenerator<StreamEvent, AttemptResult> {
  const answeredBy = answeredByOf(a);
  const controller = new AbortController();
  const onAbort = () => controller.abort();
  signal?.addEventListener("abort", onAbort, { once: true });
  if (signal?.aborted) controller.abort();
  let timedOut = false;
  let timer: NodeJS.Timeout | undefined;
  const label = labelOf(a);
  // An API may echo the key in its error text; it must reach neither logs nor clients.
  const fix = (error: StreamError): StreamError =>
    timedOut
      ? { kind: "timeout", message: `${label} sent nothing for ${idleTimeoutMs} ms` }
      : { ...error, message: error.message.split(a.credential.key).join("***") };
  let committed = false;
  try {
    const { models: _models, fastMode, turnStartedAtMs, thinkingLevel, ...rest } = request;
    const { params } = a.model;
    const fast = fastForCall(
      fastMode ?? params?.fastMode,
      turnStartedAtMs ?? now(),
      now(),
      params?.fastAutoOnSeconds,
    );
    const thinking = thinkingForCall(a.model, thinkingLevel);
    const adapter = await loadAdapter(a.model.api);
    const events = adapter
      .stream(
        {
          ...rest,
          model: a.model,
          apiKey: a.credential.key,
          ...(fast !== undefined ? { fast } : {}),
          ...(thinking !== undefined ? { thinking } : {}),
        },
        { signal: controller.signal },
      )
      [Symbol.asyncIterator]();
    while (true) {
      // The clock runs only while we wait on the provider, not while the caller is busy.
      timer = setTimeout(() => {
        timedOut = true;
        controller.abort();
      }, idleTimeoutMs);
      const next = await events.next();
      clearTimeout(timer);
      if (next.done) break;
      const event = next.value;
      if (!committed) {
        if (event.type === "start") continue;
        if (event.type === "error") return { committed: false, error: fix(event.error) };
        committed = true;
        yield { type: "start", answeredBy };
      }
      if (event.type === "done") {
        health.reward(a);
        log.info(
          `answered by ${label}${a.credential.profileId ? ` (profile ${a.credential.profileId})` : ""}`,
        );
        yield { ...event, answeredBy };
        return { committed: true };
      }
      if (event.type === "error") {
        const error = fix(event.error);
        health.penalize(a, error);
        log.warn(`${label} failed mid-stream (${error.kind}): ${error.message}`);
        yield { ...event, error, answeredBy };
        return { committed: true };
      }
      yield event;
    }
    const cut: StreamError = { kind: "connection", message: `${label} ended its stream without a result` };
    if (!committed) return { committed: false, error: cut };
    health.penalize(a, cut);
    yield errorEvent(cut, answeredBy);
    return { committed: true };
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
    controller.abort();
  }
}

function answeredByOf(a: Attempt): AnsweredBy {
  return { model: a.model.ref, ...(a.credential.profileId ? { profileId: a.credential.profileId } : {}) };
}

/** A final error with nothing streamed (failover's own verdict, not a provider's event). */
function errorEvent(error: StreamError, answeredBy?: AnsweredBy): StreamEvent {
  return {
    type: "error",
    error,
    usage: emptyUsage(),
    partial: { role: "assistant", content: [] },
    ...(answeredBy ? { answeredBy } : {}),
  };
}
