/**
 * The CLI's operations endpoint (config httpListen, apiToken): the ops handler on serveHttp. It
 * refuses to open beyond loopback without a token, so the admin API never starts unprotected.
 */
import type { Broker } from "../broker/broker.ts";
import { type Config, ConfigError } from "../config/config.ts";
import { createOpsHandler } from "./http_api.ts";
import { type HttpServer, isLoopback, parseHostPort, serveHttp } from "./serve.ts";

/**
 * Where config.httpListen asks to serve (null: nowhere). Checked before the broker starts.
 * @throws ConfigError for a bad address or a non-loopback address without apiToken.
 */
export function opsAddress(config: Config): { host: string; port: number } | null {
  if (config.httpListen === "") return null;
  const addr = parseHostPort(config.httpListen);
  if (!isLoopback(addr.host) && config.apiToken === "") {
    throw new ConfigError(`"httpListen" ${config.httpListen} is reachable from other machines: set "apiToken" too`, "httpListen");
  }
  return addr;
}

/** Serves /metrics, the API and the dashboard at `addr` (from opsAddress). */
export async function startOpsServer(broker: Broker, config: Config, addr: { host: string; port: number }): Promise<HttpServer> {
  const { host, port } = addr;
  const handler = createOpsHandler(broker, { token: config.apiToken });
  const server = await serveHttp(host, port, handler);
  return {
    host: server.host, port: server.port, close: async () => {
      handler.close(); // ends the event streams first, so the server can finish
      await server.close();
    },
  };
}
