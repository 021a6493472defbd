/**
 * Starts a Broker on 127.0.0.1 with an ephemeral port for one test.
 */
import { Broker } from "../../src/broker/broker.ts";
import type { BrokerOptions } from "../../src/broker/options.ts";
import type { BoundListener } from "../../src/listeners/listener_set.ts";

/** A running test broker. */
export interface TestBroker {
  broker: Broker;
  /** Port of the first listener. */
  port: number;
  /** Every listener, in config order. */
  listeners: BoundListener[];
  url: string;
  /** Closes the broker (idempotent). */
  close(): Promise<void>;
}

/** Starts a broker on 127.0.0.1:0 (logging silenced unless `config.log` is given). */
export async function startBroker(config: BrokerOptions = {}): Promise<TestBroker> {
  // No $SYS tree unless a test asks: its retained topics would show in other tests' counts.
  const broker = new Broker({ host: "127.0.0.1", port: 0, log: () => {}, sysInterval: 0, ...config });
  const { port, listeners } = await broker.listen();
  let closed: Promise<void> | null = null;
  return {
    broker,
    port,
    listeners,
    url: `mqtt://127.0.0.1:${port}`,
    close: () => (closed ??= broker.close()),
  };
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls `cond` every 10 ms until true; rejects after `timeoutMs` with `what` in the message. */
export async function waitFor(cond: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

export { freePort } from "./free_port.ts";
