import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { GatewayClient } from "../../src/gateway/client.js";
import { REDACTED } from "../../src/infra/redact.js";
import { type RunningGateway, startGateway, tempDir, testEnv } from "../helpers/cli.js";

/**
 * A client with only `operator.read` (what a shared Control UI link or a monitoring
 * script holds) tries to read the gateway's secrets through config.get and logs.tail.
 */

const SECRETS = {
  gatewayToken: "gw-token-7f3a9c1e5b",
  anthropicKey: "sk-ant-api03-envkey-1b2c3d4e",
  headerApiKey: "hdr-x-api-key-55aa66bb",
  headerAuth: "hdr-bearer-99cc88dd",
  queryKey: "AIzaQueryKey-0011223344",
  awsSecret: "aws-secret-wJalrXUtnFEMI",
  envVarPlain: "plain-env-var-value-77",
  customField: "custom-provider-secret-31",
  dbPassword: "pg-pass-4e5f6a7b",
};

const running: RunningGateway[] = [];
const clients: GatewayClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(running.splice(0).map((gw) => gw.stop("SIGKILL")));
});

async function start() {
  const stateDir = tempDir();
  const logFile = path.join(stateDir, "gateway.log");
  const config = {
    gateway: { mode: "local" },
    logging: { file: logFile },
    ui: { seamColor: "${ANTHROPIC_API_KEY}" },
    env: { vars: { AWS_SECRET_ACCESS_KEY: SECRETS.awsSecret, PLAIN_SETTING: SECRETS.envVarPlain } },
    models: {
      providers: {
        custom: {
          baseUrl: `https://llm.example/v1?key=${SECRETS.queryKey}`,
          api: "openai-completions",
          headers: { "x-api-key": SECRETS.headerApiKey, Authorization: `Bearer ${SECRETS.headerAuth}` },
          models: [{ id: "m1", compat: { orgSecretish: "${CUSTOM_SECRET}" } }],
        },
      },
    },
    memory: { url: "${DATABASE_URL}" },
  };
  writeFileSync(path.join(stateDir, "openclaw.json"), JSON.stringify(config, null, 2));
  // Lines from an earlier run, written before any redaction knew these values.
  writeFileSync(
    logFile,
    `${[
      { msg: `provider said: invalid key ${SECRETS.anthropicKey}` },
      { msg: `connect with token ${SECRETS.gatewayToken}` },
      { msg: `db at postgres://app:${SECRETS.dbPassword}@db.internal/x` },
      { msg: `GET https://llm.example/v1?key=${SECRETS.queryKey}` },
      { msg: `aws ${SECRETS.awsSecret} custom ${SECRETS.customField}` },
    ]
      .map((r) => JSON.stringify({ time: "2026-01-01T00:00:00.000Z", level: "info", subsystem: "old", ...r }))
      .join("\n")}\n`,
  );
  const env = testEnv({
    OPENCLAW_STATE_DIR: stateDir,
    OPENCLAW_GATEWAY_TOKEN: SECRETS.gatewayToken,
    ANTHROPIC_API_KEY: SECRETS.anthropicKey,
    CUSTOM_SECRET: SECRETS.customField,
    DATABASE_URL: `postgres://app:${SECRETS.dbPassword}@db.internal/x`,
  });
  const gw = await startGateway(["--port", "0"], env);
  running.push(gw);
  const connect = async (scopes: ("operator.read" | "operator.admin")[]) => {
    const { client } = await GatewayClient.connect({
      url: `ws://127.0.0.1:${gw.port}`,
      token: SECRETS.gatewayToken,
      scopes,
    });
    clients.push(client);
    return client;
  };
  return { stateDir, connect };
}

function expectNoSecret(text: string) {
  for (const [name, secret] of Object.entries(SECRETS)) {
    expect(text.includes(secret), `${name} leaked`).toBe(false);
  }
}

describe("secrets are not readable with operator.read", () => {
  it("config.get hides headers, URL query keys, env.vars and ${VAR} values under any key", async () => {
    const { connect } = await start();
    const reader = await connect(["operator.read"]);
    const got = await reader.request("config.get");
    expectNoSecret(JSON.stringify(got));
    const headers = { "x-api-key": REDACTED, Authorization: REDACTED };
    expect(got).toMatchObject({
      resolved: {
        models: {
          providers: {
            custom: {
              headers,
              baseUrl: `https://llm.example/v1?key=${REDACTED}`,
              models: [{ compat: { orgSecretish: REDACTED } }],
            },
          },
        },
        ui: { seamColor: REDACTED },
        // The whole substituted value is a known secret.
        memory: { url: REDACTED },
      },
      config: {
        models: { providers: { custom: { headers } } },
        env: { vars: { AWS_SECRET_ACCESS_KEY: REDACTED, PLAIN_SETTING: REDACTED } },
        // The document keeps references visible: they reveal nothing.
        ui: { seamColor: "${ANTHROPIC_API_KEY}" },
      },
      raw: null,
    });
  });

  it("config.set with the redacted config sent back keeps every stored secret", async () => {
    const { stateDir, connect } = await start();
    const admin = await connect(["operator.read", "operator.admin"]);
    const got = (await admin.request("config.get")) as { config: object; hash: string };
    const edited = { ...got.config, agents: { defaults: { maxConcurrent: 2 } } };
    await admin.request("config.set", { config: edited, baseHash: got.hash });
    const onDisk = JSON.parse(readFileSync(path.join(stateDir, "openclaw.json"), "utf8"));
    expect(onDisk.models.providers.custom.headers["x-api-key"]).toBe(SECRETS.headerApiKey);
    expect(onDisk.models.providers.custom.baseUrl).toBe(`https://llm.example/v1?key=${SECRETS.queryKey}`);
    expect(onDisk.env.vars.AWS_SECRET_ACCESS_KEY).toBe(SECRETS.awsSecret);
    expect(onDisk.agents.defaults.maxConcurrent).toBe(2);
    expect(JSON.stringify(onDisk)).not.toContain(REDACTED);
  });

  it("logs.tail shows no secret, even in lines written before the gateway knew it", async () => {
    const { connect } = await start();
    const reader = await connect(["operator.read"]);
    const tail = (await reader.request("logs.tail")) as { lines: string[] };
    const old = tail.lines.filter((l) => l.includes('"subsystem":"old"'));
    expect(old).toHaveLength(5);
    for (const line of old) expect(JSON.parse(line).msg).toContain("***");
    expectNoSecret(tail.lines.join("\n"));
  });
});
