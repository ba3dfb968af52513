import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createHttpHandler } from "../../gateway/http.js";
import { webhookRoute } from "./webhook.js";

let server: Server | undefined;
afterEach(() => server?.close());

/** The route behind the gateway's real HTTP handler on a loopback port. */
async function serve(onUpdate: (u: unknown) => void): Promise<string> {
  const route = webhookRoute({ path: "/tg", secret: "s3cret", onUpdate });
  server = createServer(
    createHttpHandler(
      () => [route],
      () => {},
    ),
  );
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/tg`;
}

const post = (url: string, body: string, secret?: string) =>
  fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(secret ? { "x-telegram-bot-api-secret-token": secret } : {}),
    },
    body,
  });

describe("telegram: webhook route", () => {
  it("hands over an update that carries the secret", async () => {
    const updates: unknown[] = [];
    const url = await serve((u) => updates.push(u));
    const res = await post(url, '{"update_id":1,"message":{}}', "s3cret");
    expect(res.status).toBe(200);
    expect(updates).toEqual([{ update_id: 1, message: {} }]);
  });

  it.each([
    ["a wrong secret", "s3cret-not", 401],
    ["a secret of another case", "S3CRET", 401],
    ["no secret", undefined, 401],
  ])("refuses %s with 401", async (_name, secret, status) => {
    const updates: unknown[] = [];
    const url = await serve((u) => updates.push(u));
    expect((await post(url, '{"update_id":1}', secret)).status).toBe(status);
    expect(updates).toEqual([]);
  });

  it("answers 400 to a body that is not an update, 405 to GET, 413 to a huge body", async () => {
    const url = await serve(() => {});
    expect((await post(url, "not json", "s3cret")).status).toBe(400);
    expect((await post(url, '{"hello":1}', "s3cret")).status).toBe(400);
    expect((await fetch(url)).status).toBe(405);
    const huge = JSON.stringify({ update_id: 1, pad: "x".repeat(1.5 * 1024 * 1024) });
    expect((await post(url, huge, "s3cret")).status).toBe(413);
  });
});
