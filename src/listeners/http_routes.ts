/**
 * The HTTP side shared by the ws / wss / http listeners of both runtimes: which requests are MQTT
 * upgrades (path, subprotocol), and the embedder's handler for everything else.
 */

/** Serves non-upgrade requests (e.g. /metrics, /healthz); default: 404. */
export type HttpHandler = (req: Request) => Response | Promise<Response>;

/** Subprotocols we accept, in preference order: `mqtt` (3.1.1 / 5.0) and `mqttv3.1` (3.1). */
const SUBPROTOCOLS = ["mqtt", "mqttv3.1"];

/** The subprotocol to answer with, or null if the client offered none we speak. */
export function chooseSubprotocol(req: Request): string | null {
  const offered = (req.headers.get("sec-websocket-protocol") ?? "").split(",").map((p) => p.trim().toLowerCase());
  for (const p of SUBPROTOCOLS) if (offered.includes(p)) return p; // [MQTT-6.0.0-3] [MQTT-6.0.0-4]
  return null;
}

/** Whether `req` asks for a WebSocket upgrade. */
export function isUpgrade(req: Request): boolean {
  return (req.headers.get("upgrade") ?? "").toLowerCase() === "websocket";
}

/** Whether `req` targets the MQTT path (any path when none is configured, like Mosquitto). */
export function onMqttPath(req: Request, path: string | undefined): boolean {
  return path === undefined || new URL(req.url).pathname === path;
}

/**
 * The answer to a request that is not an MQTT upgrade: the embedder's handler (its failures
 * answered 500 rather than breaking the listener), or 404.
 */
export async function safeServe(req: Request, handler: HttpHandler | undefined): Promise<Response> {
  if (handler === undefined) return new Response("Not Found\n", { status: 404 });
  try {
    return await handler(req);
  } catch {
    return new Response("Internal Server Error\n", { status: 500 });
  }
}

/** Answer to an upgrade we refuse (no MQTT subprotocol offered). */
export function refuseUpgrade(why: string): Response {
  return new Response(`${why}\n`, { status: 400 });
}
