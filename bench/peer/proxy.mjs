// A logging WebSocket proxy: each client socket gets its own upstream socket to the gateway;
// every text frame is passed on unchanged and recorded with its direction and connection.
import { WebSocket, WebSocketServer } from "ws";

/** Starts on a free loopback port; `capture(fn)` returns the frames exchanged while `fn` ran. */
export async function startFrameProxy(upstreamUrl) {
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0, maxPayload: 64 << 20 });
  await new Promise((resolve) => server.once("listening", resolve));
  const listeners = new Set();
  let conns = 0;
  server.on("connection", (client, req) => {
    const conn = ++conns;
    const upstream = new WebSocket(upstreamUrl, {
      maxPayload: 64 << 20,
      headers: req.headers.origin ? { origin: upstreamUrl.replace(/^ws/, "http") } : {},
    });
    const early = [];
    const emit = (dir, data) => {
      let frame;
      try {
        frame = JSON.parse(data.toString());
      } catch {
        return;
      }
      for (const l of listeners) l({ conn, dir, frame });
    };
    client.on("message", (data) => {
      emit("out", data);
      if (upstream.readyState === WebSocket.OPEN) upstream.send(data.toString());
      else early.push(data.toString());
    });
    upstream.on("open", () => {
      for (const d of early.splice(0)) upstream.send(d);
    });
    upstream.on("message", (data) => {
      emit("in", data);
      if (client.readyState === WebSocket.OPEN) client.send(data.toString());
    });
    const end = (ws, code, reason) => {
      if (ws.readyState === WebSocket.OPEN)
        ws.close(code >= 1000 && code < 5000 && code !== 1005 && code !== 1006 ? code : 1000, reason);
    };
    upstream.on("close", (code, reason) => end(client, code, reason));
    client.on("close", (code, reason) => end(upstream, code, reason));
    upstream.on("error", () => client.terminate());
    client.on("error", () => upstream.terminate());
  });
  const { port } = server.address();
  return {
    url: `ws://127.0.0.1:${port}`,
    onFrame: (l) => listeners.add(l),
    async capture(fn) {
      const frames = [];
      const l = (f) => frames.push(f);
      listeners.add(l);
      try {
        const result = await fn();
        return { frames, result };
      } finally {
        listeners.delete(l);
      }
    },
    close: () =>
      new Promise((resolve) => {
        for (const c of server.clients) c.terminate();
        server.close(() => resolve());
      }),
  };
}
