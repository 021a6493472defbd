/**
 * One test's world: a broker plus pools of raw and MQTT.js clients, all torn down afterwards
 * whether the test passed or not.
 */
import { startBroker, type TestBroker } from "./broker.ts";
import { ClientPool } from "./mqtt.ts";
import { RawPool } from "./raw.ts";
import type { BrokerOptions } from "../../src/broker/options.ts";

/** What a test body gets. */
export interface World {
  b: TestBroker;
  raw: RawPool;
  pool: ClientPool;
}

/** Runs `body` with a fresh broker (config merged over test defaults) and client pools. */
export async function withBroker(config: BrokerOptions, body: (w: World) => Promise<void>): Promise<void> {
  const b = await startBroker(config);
  const raw = new RawPool(b.port), pool = new ClientPool(b.port);
  try {
    await body({ b, raw, pool });
  } finally {
    raw.destroyAll();
    await pool.endAll();
    await b.close();
  }
}
