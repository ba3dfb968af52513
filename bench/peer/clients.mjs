// bench/peer/clients: OpenClaw's own clients against our gateway and against the real
// OpenClaw, both on the same fake model (not in `npm test`: needs the downloaded OpenClaw).
//   node bench/peer/clients.mjs [--peer-dir <folder>] [--ours-only] [--no-ui] [--write]
// Runs the real OpenClaw CLI's everyday commands against each gateway and prints a table
// of outcomes side by side; then drives OpenClaw's Control UI in Chromium against each:
// every page of a feature we have, one chat message, page errors and `unknown method`
// replies per page. `--write` puts the output in docs/compatibility.md.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { driveControlUi } from "./control-ui.mjs";
import { FAKE_REPLY, MODEL_ID, startGatewayPair } from "./gateways.mjs";
import { runOpenClawCli } from "./openclaw-cli.mjs";
import { startFrameProxy } from "./proxy.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const opts = { "peer-dir": "", "ours-only": false, "no-ui": false, write: false };
for (let i = 2; i < process.argv.length; i++) {
  const key = process.argv[i].replace(/^--/, "");
  if (!(key in opts)) throw new Error(`unknown option --${key}; known: ${Object.keys(opts).join(", ")}`);
  opts[key] = typeof opts[key] === "boolean" ? true : process.argv[++i];
}
const log = (m) => console.error(`[clients] ${m}`);

/** `JSON.parse` of a command's stdout, or undefined (human output, or none). */
function json(stdout) {
  try {
    return JSON.parse(stdout);
  } catch {
    return undefined;
  }
}

/** The gateway methods `gateway call` is run with (the ones the issue lists). */
const CALLS = [
  "agents.list",
  "agent.identity.get",
  "system-presence",
  "sessions.list",
  "sessions.preview",
  "chat.history",
  "chat.metadata",
  "channels.status",
  "config.get",
  "logs.tail",
  "models.list",
  "models.authStatus",
];
const CALL_PARAMS = {
  "sessions.preview": { keys: ["agent:main:main"] },
  "chat.history": { sessionKey: "agent:main:main" },
  "agent.identity.get": { agentId: "main" },
};

/** Each command, and what a good outcome is beyond exit 0 (a check on its stdout). */
const COMMANDS = [
  { argv: ["agent", "--message", "hi"], ok: (out) => out.includes(FAKE_REPLY) },
  { argv: ["agent", "--agent", "main", "--message", "hi"], ok: (out) => out.includes(FAKE_REPLY) },
  { argv: ["models", "list"], ok: (out) => out.includes(MODEL_ID.split("-")[0]) },
  { argv: ["health", "--json"], ok: (out) => json(out)?.ok === true },
  { argv: ["status", "--json"], ok: (out) => json(out) !== undefined },
  { argv: ["logs", "--limit", "5"], ok: () => true },
  { argv: ["channels", "status", "--json"], ok: (out) => json(out) !== undefined },
  { argv: ["gateway", "status", "--json"], ok: (out) => json(out) !== undefined },
  { argv: ["cron", "list", "--json"], ok: (out) => json(out) !== undefined },
  ...CALLS.map((m) => ({
    argv: ["gateway", "call", m, "--params", JSON.stringify(CALL_PARAMS[m] ?? {}), "--json"],
    ok: (out) => json(out) !== undefined,
  })),
];

/** Top-level keys of OpenClaw's JSON answer that ours also has ("-" for non-JSON output). */
function keyOverlap(peerOut, oursOut) {
  const peer = json(peerOut);
  const ours = json(oursOut);
  if (!peer || !ours || typeof peer !== "object" || Array.isArray(peer)) return "-";
  const keys = Object.keys(peer);
  const have = keys.filter((k) => k in ours).length;
  return `${have}/${keys.length}`;
}

function outcome(result, check) {
  if (!result) return "-";
  if (result.code !== 0) {
    const why = (result.stderr || result.stdout).trim().split("\n").at(-1)?.slice(0, 70) ?? "";
    return `exit ${result.code}: ${why.replaceAll("|", "\\|")}`;
  }
  return check(result.stdout) ? "ok" : "exit 0, unexpected output";
}

async function main() {
  const work = mkdtempSync(path.join(os.tmpdir(), "h20p-clients-"));
  const targets = opts["ours-only"] ? ["ours"] : ["ours", "openclaw"];
  const pair = await startGatewayPair({ work, targets, peerDir: opts["peer-dir"], log });
  const proxies = {};
  const unknown = {};
  try {
    for (const t of targets) {
      proxies[t] = await startFrameProxy(pair.gateways[t].wsUrl);
      unknown[t] = [];
      proxies[t].onFrame(({ dir, frame }) => {
        if (dir === "in" && frame.type === "res" && /^unknown method/.test(frame.error?.message ?? ""))
          unknown[t].push(frame.error.message.replace(/^unknown method:? ?/, ""));
      });
      // OpenClaw refuses connects until its sidecars are up: one unmeasured call waits that out.
      await runOpenClawCli(pair, proxies[t].url, ["health", "--json"], work);
    }
    const rows = [];
    for (const { argv, ok } of COMMANDS) {
      const results = {};
      for (const t of targets) results[t] = await runOpenClawCli(pair, proxies[t].url, argv, work);
      const command = `\`openclaw ${argv.join(" ").replace(/ --params \{.*\}/, "")}\``;
      rows.push([
        command,
        outcome(results.openclaw, ok),
        outcome(results.ours, ok),
        keyOverlap(results.openclaw?.stdout, results.ours.stdout),
      ]);
      log(`${command}: ${rows.at(-1).slice(1).join(" | ")}`);
    }
    const cliUnknown = Object.fromEntries(targets.map((t) => [t, unknown[t].splice(0)]));
    const ui = {};
    if (!opts["no-ui"]) {
      for (const t of targets) {
        log(`Control UI against ${t}`);
        ui[t] = await driveControlUi({ pair, proxyUrl: proxies[t].url, gateway: pair.gateways[t], log });
      }
    }
    const report = render({ rows, cliUnknown, ui, targets, version: pair.peerVersion });
    console.log(report);
    if (opts.write) writeDoc(report);
  } finally {
    for (const p of Object.values(proxies)) await p.close();
    await pair.stop();
  }
}

function table(header, rows) {
  return [
    `| ${header.join(" | ")} |`,
    `|${header.map(() => "---").join("|")}|`,
    ...rows.map((r) => `| ${r.join(" | ")} |`),
  ].join("\n");
}

function render({ rows, cliUnknown, ui, targets, version }) {
  const out = [];
  out.push(`OpenClaw ${version} CLI, run against each gateway (same fake model, same token):\n`);
  out.push(
    table(["command", "against OpenClaw", "against ours", "JSON keys of OpenClaw's answer ours has"], rows),
  );
  const passed = rows.filter((r) => r[2] === "ok").length;
  out.push(
    `\nOurs: ${passed}/${rows.length} commands ok; \`unknown method\` replies to the CLI: ${cliUnknown.ours.length}${cliUnknown.ours.length ? ` (${[...new Set(cliUnknown.ours)].join(", ")})` : ""}.`,
  );
  for (const t of targets.filter((x) => ui[x])) {
    const r = ui[t];
    out.push(
      `\nOpenClaw's Control UI against ${t === "ours" ? "ours" : "OpenClaw"}: chat reply shown: ${r.reply ? "yes" : "no"}; page errors: ${r.pageErrors.length}; \`unknown method\` replies: ${r.unknownMethods.length}.\n`,
    );
    const methods = (page) =>
      [
        ...new Set(
          r.unknownMethods.filter((u) => u.startsWith(`${page}: `)).map((u) => u.slice(page.length + 2)),
        ),
      ].join(", ");
    out.push(
      table(
        ["page", "page errors", "unknown method replies", "methods"],
        r.pages.map((p) => [p.page, p.errors, p.unknownMethods, methods(p.page) || "-"]),
      ),
    );
    if (r.pageErrors.length) out.push(`\nPage errors: ${[...new Set(r.pageErrors)].slice(0, 10).join("; ")}`);
  }
  return out.join("\n");
}

/** Replaces the generated part of docs/compatibility.md (between its two markers). */
function writeDoc(report) {
  const file = path.join(root, "docs/compatibility.md");
  const text = readFileSync(file, "utf8");
  const start = "<!-- clients.mjs output -->";
  const end = "<!-- end of clients.mjs output -->";
  const [before, rest] = text.split(start);
  const after = rest?.split(end)[1];
  if (after === undefined) throw new Error(`${file} has no ${start} … ${end} markers`);
  writeFileSync(file, `${before}${start}\n${report}\n${end}${after}`);
  log(`wrote ${path.relative(root, file)}`);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
