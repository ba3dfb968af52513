import { describe, expect, it } from "vitest";
import { childProcessEnv, isSecretEnvName, registerSecret } from "./secrets.js";

describe("secret env names", () => {
  it.each([
    "ANTHROPIC_API_KEY",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_REGION",
    "OPENCLAW_GATEWAY_TOKEN",
    "OPENCLAW_GATEWAY_PASSWORD",
    "DB_PASSWD",
    "GOOGLE_APPLICATION_CREDENTIALS",
    "SSH_AUTH_SOCK",
    "SIGNING_KEYS",
    "GITHUB_PAT_TOKEN",
  ])("%s is secret", (name) => expect(isSecretEnvName(name)).toBe(true));

  it.each([
    "PATH",
    "HOME",
    "OPENCLAW_GATEWAY_PORT",
    "NODE_ENV",
    "OPENCLAW_STATE_DIR",
    "KEYBOARD",
    "LANG",
    "AUTHOR",
  ])("%s is not", (name) => expect(isSecretEnvName(name)).toBe(false));
});

describe("childProcessEnv", () => {
  it("drops secret names, URLs with credentials and values equal to or holding a known secret", () => {
    registerSecret("known-secret-value-42");
    const env = childProcessEnv({
      PATH: "/usr/bin",
      ANTHROPIC_API_KEY: "sk-ant",
      DATABASE_URL: "postgres://u:p@h/db",
      PUBLIC_URL: "https://example.com/x",
      INNOCENT_NAME: "known-secret-value-42",
      CURL_HEADER: "Authorization: Bearer known-secret-value-42",
    });
    expect(env).toEqual({ PATH: "/usr/bin", PUBLIC_URL: "https://example.com/x" });
  });
});
