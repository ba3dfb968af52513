/**
 * Attack: a read-only credential reorganises someone's sessions. Listing groups needs
 * `operator.read`; creating, renaming, deleting groups and moving a session into one need
 * write (admin for `sessions.patch`), as in OpenClaw. The catalog is unchanged after.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GatewayClient } from "../../src/gateway/client.js";
import { type InProcessGateway, startInProcessGateway } from "../helpers/in-process-gateway.js";

const TOKEN = "groups-scope-token-0123456789abcd";
let gateway: InProcessGateway;
let reader: GatewayClient;

beforeAll(async () => {
  gateway = await startInProcessGateway({
    token: TOKEN,
    config: {},
    scopes: ["operator.read"],
  });
  ({ client: reader } = await GatewayClient.connect({
    url: gateway.url.replace(/^http/, "ws"),
    token: TOKEN,
  }));
});

afterAll(async () => {
  await reader.close();
  await gateway.close();
});

describe("a read-only credential and session groups", () => {
  it("can list the catalog", async () => {
    expect(await reader.request("sessions.groups.list", {})).toEqual({ groups: [] });
  });

  it.each([
    ["sessions.groups.put", { names: ["Mine"] }],
    ["sessions.groups.rename", { name: "Mine", to: "Yours" }],
    ["sessions.groups.delete", { name: "Mine" }],
    ["sessions.patch", { key: "agent:main:main", category: "Mine" }],
    ["sessions.patchMany", { targets: [{ key: "agent:main:main" }], patch: { category: "Mine" } }],
    ["sessions.create", { category: "Mine" }],
  ])("cannot call %s", async (method, params) => {
    await expect(reader.request(method, params)).rejects.toThrow(/missing scope: operator\.(write|admin)/);
    expect(await reader.request("sessions.groups.list", {})).toEqual({ groups: [] });
  });
});
