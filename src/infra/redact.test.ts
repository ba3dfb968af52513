import { describe, expect, it } from "vitest";
import {
  collectConfigSecrets,
  REDACTED,
  RedactedValueError,
  redactArgs,
  redactConfig,
  redactText,
  registerEnvSecrets,
  restoreRedacted,
} from "./redact.js";
import { registerSecret } from "./secrets.js";

describe("redactConfig", () => {
  const doc = {
    gateway: { auth: { token: "s3cret-token" } },
    channels: {
      discord: { token: "${DISCORD_BOT_TOKEN}" },
      telegram: { botToken: "123:abc", webhookSecret: "w" },
    },
    models: {
      providers: {
        p: {
          apiKey: "sk-1",
          baseUrl: "https://llm.example/v1?key=AIzaQueryKey&api-version=2024",
          headers: { "x-api-key": "hdr-key-1", Authorization: "Bearer hdr-2", "x-title": "MyApp" },
          models: [{ id: "m", maxTokens: 5 }],
        },
      },
    },
    env: { vars: { NODE_ENV: "production", AWS_SECRET_ACCESS_KEY: "aws-secret" }, FOO: "bar-value" },
    memory: { url: "postgres://app:pg-pass@db.internal:5432/mem" },
  };

  it("hides secret keys, header and env maps, URL credentials and query values; keeps env references", () => {
    const { value, paths } = redactConfig(doc);
    expect(value).toEqual({
      gateway: { auth: { token: REDACTED } },
      channels: {
        discord: { token: "${DISCORD_BOT_TOKEN}" },
        telegram: { botToken: REDACTED, webhookSecret: REDACTED },
      },
      models: {
        providers: {
          p: {
            apiKey: REDACTED,
            baseUrl: `https://llm.example/v1?key=${REDACTED}&api-version=${REDACTED}`,
            headers: { "x-api-key": REDACTED, Authorization: REDACTED, "x-title": REDACTED },
            models: [{ id: "m", maxTokens: 5 }],
          },
        },
      },
      env: { vars: { NODE_ENV: REDACTED, AWS_SECRET_ACCESS_KEY: REDACTED }, FOO: REDACTED },
      memory: { url: `postgres://app:${REDACTED}@db.internal:5432/mem` },
    });
    expect(paths).toHaveLength(12);
  });

  it("hides a known secret wherever it appears, even under an unrelated key", () => {
    registerSecret("sk-ant-known-0123456789");
    const { value } = redactConfig({
      ui: { seamColor: "sk-ant-known-0123456789", note: "k=sk-ant-known-0123456789" },
    });
    expect(value).toEqual({ ui: { seamColor: REDACTED, note: `k=${REDACTED}` } });
  });

  it("collects credentials to register, but not harmless header values", () => {
    const secrets = collectConfigSecrets(doc);
    expect(secrets).toEqual(
      expect.arrayContaining([
        "s3cret-token",
        "hdr-key-1",
        "Bearer hdr-2",
        "aws-secret",
        "AIzaQueryKey",
        "pg-pass",
      ]),
    );
    expect(secrets).not.toContain("MyApp");
    expect(secrets).not.toContain("production");
  });
});

describe("restoreRedacted", () => {
  const stored = {
    gateway: { auth: { token: "s3cret-token" } },
    models: {
      providers: { p: { baseUrl: "https://llm.example/v1?key=AIzaQueryKey", headers: { a: "h-1" } } },
    },
  };

  it("puts back whole and partly redacted values sent unchanged", () => {
    const edited = { ...(redactConfig(stored).value as object), extra: 1 };
    expect(restoreRedacted(edited, stored)).toEqual({ ...stored, extra: 1 });
  });

  it.each([
    ["a marker where nothing is stored", { gateway: { auth: { password: REDACTED } } }],
    [
      "a partly redacted URL whose other parts changed",
      { models: { providers: { p: { baseUrl: `https://other.example/v1?key=${REDACTED}` } } } },
    ],
  ])("refuses %s", (_what, edited) => {
    expect(() => restoreRedacted(edited, stored)).toThrow(RedactedValueError);
  });
});

describe("redactText", () => {
  it("masks known secrets (also JSON-escaped), URL passwords, bare URL tokens and query values", () => {
    registerSecret('quote"secret-9');
    const line = JSON.stringify({
      msg: 'got quote"secret-9 from https://u:p4ss@h.example/x?token=abc&x= and https://ghp_tok@github.com/r',
    });
    const out = redactText(line);
    expect(JSON.parse(out)).toEqual({
      msg: "got *** from https://u:***@h.example/x?token=***&x= and https://***@github.com/r",
    });
  });
});

describe("registerEnvSecrets", () => {
  it("registers credential-named values and URL passwords, not cloud settings like AWS_REGION", () => {
    registerEnvSecrets({
      AWS_REGION: "us-east-1",
      DATABASE_URL: "postgres://u:pw-123456@h/db",
      MY_TOKEN: "tok-abcdef",
    });
    expect(redactText("us-east-1 pw-123456 tok-abcdef")).toBe("us-east-1 *** ***");
  });
});

describe("redactArgs", () => {
  it("masks credential-named flag values, in --flag=value and --flag value forms", () => {
    expect(
      redactArgs([
        "server.js",
        "--token=abc",
        "--api-key",
        "def",
        "--auth-header",
        "Bearer x",
        "--port",
        "8080",
        "--verbose",
        "--password=${DB_PASSWORD}",
        "https://u:pw@host/x?sig=s1",
      ]),
    ).toEqual([
      "server.js",
      "--token=***",
      "--api-key",
      "***",
      "--auth-header",
      "***",
      "--port",
      "8080",
      "--verbose",
      "--password=${DB_PASSWORD}",
      "https://u:***@host/x?sig=***",
    ]);
  });

  it("a flag after a credential flag is a flag, not its value", () => {
    expect(redactArgs(["--token", "--debug"])).toEqual(["--token", "--debug"]);
  });
});
