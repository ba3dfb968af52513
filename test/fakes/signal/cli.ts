/**
 * A stand-in `signal-cli` executable for the managed-daemon tests: understands
 * `-a ACCOUNT daemon --http HOST:PORT` and serves the fake daemon there. Run with Node's
 * type stripping (`node cli.ts …`). FAKE_SIGNAL_MODE picks a failure to imitate:
 * `no-java` (the start script's message when Java is missing), `unregistered`, or
 * `crash-first` (the first run exits after start-up; later runs stay up). Each start is
 * appended to FAKE_SIGNAL_RUNS (a file) when set.
 */
import { appendFileSync, existsSync, readFileSync } from "node:fs";

const args = process.argv.slice(2);
const account = args[args.indexOf("-a") + 1] ?? "";
const http = args[args.indexOf("--http") + 1] ?? "127.0.0.1:8080";
const mode = process.env.FAKE_SIGNAL_MODE ?? "";
const runsFile = process.env.FAKE_SIGNAL_RUNS;
const previousRuns =
  runsFile && existsSync(runsFile) ? readFileSync(runsFile, "utf8").split("\n").length - 1 : 0;
if (runsFile) appendFileSync(runsFile, `${args.join(" ")}\n`);

if (mode === "no-java") {
  process.stderr.write(
    "ERROR: JAVA_HOME is not set and no 'java' command could be found in your PATH.\n\nPlease set the JAVA_HOME variable in your environment to match the\nlocation of your Java installation.\n",
  );
  process.exit(1);
}
if (mode === "unregistered") {
  process.stderr.write(`User ${account} is not registered.\n`);
  process.exit(1);
}
const [host, port] = http.split(":");
const fakeUrl = new URL("./index.ts", import.meta.url).href;
const { startFakeSignal } = (await import(fakeUrl)) as typeof import("./index.js");
const fake = await startFakeSignal({ account, host, port: Number(port) });
process.stderr.write(`INFO  HttpServerHandler - Started HTTP server on /${http}\n`);
if (mode === "crash-first" && previousRuns === 0) {
  setTimeout(() => process.exit(3), 300);
}
process.on("SIGTERM", () => void fake.close().then(() => process.exit(0)));
