// Turns recorded proxy frames into a fixture: each request with its response(s), and the
// events, with ids, times, temp paths and the token replaced by stable placeholders.
import os from "node:os";

/** Keys whose values are credentials or per-run secrets (the UI sends the token as `password` too). */
const SECRET_KEYS = new Set([
  "token",
  "deviceToken",
  "password",
  "signature",
  "nonce",
  "publicKey",
  "recoveryScope",
]);
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
/** Epoch milliseconds between 2020 and 2040: a time, not a count. */
const isEpochMs = (n) => Number.isInteger(n) && n > 1.58e12 && n < 2.2e12;

/** The OpenClaw install and this machine's name: neither belongs in a committed fixture. */
const MACHINE = [
  [/\/[^"\s]*\/node_modules\/openclaw/g, "<openclaw>"],
  // A short name ("vm") would also match inside words: only names of 4+ characters, whole.
  ...(os.hostname().length >= 4
    ? [[new RegExp(`\\b${os.hostname().replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\b`, "g"), "<host>"]]
    : []),
];

export function normaliseValue(value, work) {
  if (typeof value === "string") {
    let s = value.split(work).join("<work>").replace(UUID, "<uuid>");
    for (const [re, to] of MACHINE) s = s.replace(re, to);
    s = s.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?/g, "<time>");
    return s;
  }
  if (typeof value === "number") return isEpochMs(value) ? 0 : value;
  if (Array.isArray(value)) return value.map((v) => normaliseValue(v, work));
  if (value && typeof value === "object") {
    const out = {};
    for (const [k, v] of Object.entries(value)) {
      if (SECRET_KEYS.has(k)) out[k] = typeof v === "string" ? "<secret>" : normaliseValue(v, work);
      else out[k] = normaliseValue(v, work);
    }
    return out;
  }
  return value;
}

/** Longest string, array and nesting a fixture keeps: the contract paths are shallow, and the real
 * config schema and log lines would make a fixture megabytes. */
const MAX_STRING = 2000;
const MAX_ARRAY = 500;
const MAX_DEPTH = 10;

/** An exchange bigger than this (the whole config schema, 250 kB of log lines) is cut harder. */
const MAX_EXCHANGE_CHARS = 50_000;
const TIGHT = { depth: 7, array: 10, keys: 50 };

/** `value` cut to the limits above (what is cut is marked, never silently changed). */
export function compact(value, depth = 0, limits = { depth: MAX_DEPTH, array: MAX_ARRAY, keys: Infinity }) {
  if (typeof value === "string")
    return value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…<cut>` : value;
  if (value === null || typeof value !== "object") return value;
  if (depth >= limits.depth) return "<cut: deeper>";
  if (Array.isArray(value)) return value.slice(0, limits.array).map((v) => compact(v, depth + 1, limits));
  const entries = Object.entries(value);
  const kept = entries.slice(0, limits.keys).map(([k, v]) => [k, compact(v, depth + 1, limits)]);
  if (entries.length > limits.keys) kept.push(["<cut>", `${entries.length - limits.keys} more keys`]);
  return Object.fromEntries(kept);
}

function compactExchange(exchange) {
  const loose = compact(exchange);
  return JSON.stringify(loose).length > MAX_EXCHANGE_CHARS ? compact(exchange, 0, TIGHT) : loose;
}

/** The first exchange of each method and the first event of each name: the shapes, not the traffic. */
export function firstOfEach(fixture) {
  const methods = new Set();
  const names = new Set();
  return {
    ...fixture,
    exchanges: fixture.exchanges
      .filter((e) => !methods.has(e.method) && methods.add(e.method))
      .map(compactExchange),
    events: fixture.events.filter((e) => !names.has(e.event) && names.add(e.event)).map((e) => compact(e)),
  };
}

/** { exchanges: [{ conn, method, params, responses: [{ ok, payload?, error? }] }], events: [...] } */
export function normaliseFrames(frames, work) {
  const exchanges = [];
  const byId = new Map();
  const events = [];
  for (const { conn, dir, frame } of frames) {
    if (dir === "out" && frame.type === "req") {
      const ex = { conn, method: frame.method, params: normaliseValue(frame.params, work), responses: [] };
      byId.set(`${conn}:${frame.id}`, ex);
      exchanges.push(ex);
    } else if (dir === "in" && frame.type === "res") {
      const ex = byId.get(`${conn}:${frame.id}`);
      const res = { ok: frame.ok };
      if ("payload" in frame) res.payload = normaliseValue(frame.payload, work);
      if (frame.error) res.error = normaliseValue(frame.error, work);
      ex?.responses.push(res);
    } else if (dir === "in" && frame.type === "event") {
      events.push({ conn, event: frame.event, payload: normaliseValue(frame.payload, work) });
    }
  }
  return { exchanges, events };
}
