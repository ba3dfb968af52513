import { describe, expect, it } from "vitest";
import { GatewayClient } from "../../src/gateway/client.js";
import { chatTurn } from "../helpers/chat-turn.js";
import { type RunningGateway, startGateway, testEnv } from "../helpers/cli.js";
import { baseConfig, stateDirWith } from "../helpers/config.js";
import { useFakeModelGateways } from "../helpers/fake-model-gateways.js";

/**
 * The model (here the fake Anthropic API, scripted like a prompt-injected model) asks
 * the exec tool to dump its own environment and that of every ancestor up to the
 * built gateway: /proc/<pid>/environ shows what a process was exec'd with, whatever it
 * later did to process.env, and /proc/<pid>/cmdline shows its arguments.
 */

const SECRETS = {
  gatewayToken: "gw-token-exec-8d2f4a6c",
  anthropicKey: "sk-ant-api03-exec-5e6f7a8b",
  awsSecret: "aws-secret-exec-wJalrXUtn",
  dbPassword: "pg-pass-exec-1a2b3c",
};

const fixture = useFakeModelGateways();
const { running, clients } = fixture;

/** Walks from the shell up to the gateway, printing each process's environ and cmdline. */
function dumpCommand(gatewayPid: number): string {
  return [
    "tr '\\0' '\\n' < /proc/$PPID/environ; echo '== env'; env",
    `p=$$; while [ "$p" -gt 1 ]; do echo "== pid $p"; tr '\\0' '\\n' < /proc/$p/environ; tr '\\0' ' ' < /proc/$p/cmdline; echo; [ "$p" = ${gatewayPid} ] && break; p=$(awk '{print $4}' /proc/$p/stat); done`,
  ].join("; ");
}

async function runExecThroughModel(gw: RunningGateway, token: string): Promise<string> {
  const { client } = await GatewayClient.connect({ url: `ws://127.0.0.1:${gw.port}`, token });
  clients.push(client);
  fixture.anthropic.enqueue(
    { toolCalls: [{ id: "t1", name: "exec", args: { command: dumpCommand(gw.pid) } }] },
    { text: "done" },
  );
  await chatTurn(client, "dump env", { idempotencyKey: "k1" });
  // The second model request carries the tool's output back to the model.
  expect(fixture.anthropic.requests).toHaveLength(2);
  return JSON.stringify(fixture.anthropic.requests[1]!.body.messages);
}

function setup(extraEnv: Record<string, string>) {
  const stateDir = stateDirWith(baseConfig(fixture.anthropic.url));
  return testEnv({
    OPENCLAW_STATE_DIR: stateDir,
    ANTHROPIC_API_KEY: SECRETS.anthropicKey,
    AWS_SECRET_ACCESS_KEY: SECRETS.awsSecret,
    DATABASE_URL: `postgres://app:${SECRETS.dbPassword}@db.internal:5432/app`,
    ...extraEnv,
  });
}

describe("exec cannot read the gateway's secrets", () => {
  it.each([
    ["the token in OPENCLAW_GATEWAY_TOKEN", { OPENCLAW_GATEWAY_TOKEN: SECRETS.gatewayToken }, []],
    ["the token on the command line (--token)", {}, ["--token", SECRETS.gatewayToken]],
  ])(
    "from its env, /proc/$PPID and every ancestor up to the gateway, with %s",
    async (_how, extraEnv, args) => {
      const gw = await startGateway(["--port", "0", ...args], setup(extraEnv));
      running.push(gw);
      const output = await runExecThroughModel(gw, SECRETS.gatewayToken);
      // The reads worked: the gateway's environ and the shell's env are in the output.
      expect(output).toContain(`== pid ${gw.pid}`);
      expect(output).toContain("OPENCLAW_STATE_DIR=");
      expect(output).toContain("== env");
      for (const [name, secret] of Object.entries(SECRETS)) {
        expect(output.includes(secret), `${name} visible to exec`).toBe(false);
      }
      // The gateway itself still has its provider key: the model was called with it.
      const { authorization, "x-api-key": apiKey } = fixture.anthropic.requests[0]!.headers;
      expect(`${authorization} ${apiKey}`).toContain(SECRETS.anthropicKey);
    },
  );
});
