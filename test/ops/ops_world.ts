/**
 * A broker with an MQTT listener and an `http` listener (both 127.0.0.1, free ports) whose
 * non-MQTT requests go to the operations handler, as the CLI mounts it.
 */
import type { BrokerOptions } from "../../src/broker/options.ts";
import { createOpsHandler, type OpsHandler, type OpsHandlerOptions } from "../../src/ops/http_api.ts";
import { withBroker, type World } from "../helpers/setup.ts";

/** What a test body gets: the usual world, the handler, and the http listener's base URL. */
export interface OpsWorld extends World {
  h: OpsHandler;
  base: string;
}

/** Runs `body` with the broker, its ops handler on a real http listener, and client pools. */
export function withOpsBroker(config: BrokerOptions, opts: OpsHandlerOptions, body: (w: OpsWorld) => Promise<void>): Promise<void> {
  let h: OpsHandler | null = null;
  const listeners = [{ host: "127.0.0.1", port: 0, protocol: "mqtt" as const }, { host: "127.0.0.1", port: 0, protocol: "http" as const }];
  return withBroker({ ...config, listeners, httpHandler: (req) => h!(req) }, async (w) => {
    h = createOpsHandler(w.b.broker, opts);
    const http = w.b.listeners.find((l) => l.protocol === "http")!;
    try {
      await body({ ...w, h, base: `http://127.0.0.1:${http.port}` });
    } finally {
      h.close();
    }
  });
}
