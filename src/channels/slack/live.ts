/** What the Slack connection's parts share: who we are, the fatal errors, becoming ready. */
import type { Logger as SlackLogger } from "@slack/web-api";
import type { HttpRoute } from "../../infra/http.js";
import type { ConnectionHooks, StartGate } from "../kit.js";
import type { SlackMessageEvent } from "./inbound.js";

/** auth.test / apps.connections.open errors after which retrying cannot help. */
export const FATAL_AUTH: Record<string, string> = {
  invalid_auth:
    "Slack rejected the token: reinstall the app (OAuth & Permissions) and set SLACK_BOT_TOKEN (xoxb-…) and SLACK_APP_TOKEN (xapp-…), then restart the gateway.",
  not_authed:
    "Slack got no token: set SLACK_BOT_TOKEN (or channels.slack.botToken), then restart the gateway.",
  account_inactive:
    "Slack says the token's app or user was deactivated: reinstall the app and set new tokens.",
  token_revoked: "Slack says the token was revoked: reinstall the app and set new tokens.",
  missing_scope:
    "the Slack app lacks a scope: add connections:write to the App-Level Token (Basic Information → App-Level Tokens), then restart the gateway.",
};

export interface SlackHooks extends ConnectionHooks {
  registerRoute?: (route: HttpRoute) => () => void;
}

export interface Live {
  bot?: { userId: string; botId?: string; name: string };
  stopped: boolean;
}

export interface TransportDeps {
  gate: StartGate;
  live: Live;
  handleEvent(event: SlackMessageEvent | undefined): void;
  logger: SlackLogger;
  /** The Web API's HTTP: node:http, not Node's global fetch (see infra/node-http-fetch.ts). */
  fetch: typeof fetch;
}

export function ready(hooks: SlackHooks, deps: TransportDeps, line: string): void {
  hooks.log.info(line);
  hooks.setStatus({ state: "ready", connected: true, lastError: undefined });
  deps.gate.settle();
}
