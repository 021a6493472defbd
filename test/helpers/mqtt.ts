/**
 * MQTT.js clients for broker tests: every client made through a pool is ended by `endAll()`,
 * and a collector records what a client receives.
 */
import mqtt, { type IClientOptions, type MqttClient } from "mqtt";
import { waitFor } from "./broker.ts";

/** One received PUBLISH as a test sees it. */
export interface Received {
  topic: string;
  payload: string;
  qos: number;
  retain: boolean;
  dup: boolean;
  properties?: Record<string, unknown>;
}

/** Clients of one test; `endAll` force-ends every one of them. */
export class ClientPool {
  private readonly clients: MqttClient[] = [];

  constructor(private readonly port: number) {}

  /** Connects (no auto-reconnect) and resolves after CONNACK; rejects on refusal or timeout. */
  async connect(options: IClientOptions = {}): Promise<MqttClient> {
    const client = mqtt.connect({
      host: "127.0.0.1", port: this.port, protocol: "mqtt", reconnectPeriod: 0, connectTimeout: 5000, ...options,
    });
    this.clients.push(client);
    await new Promise<void>((resolve, reject) => {
      client.once("connect", () => resolve());
      client.once("error", reject);
      client.once("close", () => reject(new Error("closed before CONNACK")));
    });
    client.removeAllListeners("error");
    client.on("error", () => {});
    return client;
  }

  /** Force-ends every client. */
  async endAll(): Promise<void> {
    await Promise.all(this.clients.map((c) => new Promise<void>((r) => c.end(true, {}, () => r()))));
  }
}

/** Records the PUBLISH packets `client` receives. */
export function collect(client: MqttClient): Received[] & { waitFor(n: number, timeoutMs?: number): Promise<void> } {
  const got = [] as unknown as Received[] & { waitFor(n: number, timeoutMs?: number): Promise<void> };
  client.on("message", (topic, payload, packet) => {
    got.push({
      topic, payload: new TextDecoder().decode(payload), qos: packet.qos, retain: packet.retain, dup: packet.dup,
      properties: packet.properties as Record<string, unknown> | undefined,
    });
  });
  got.waitFor = (n, timeoutMs = 3000) => waitFor(() => got.length >= n, `${n} message(s), got ${got.length}`, timeoutMs);
  return got;
}

/** Subscribes and resolves with the granted QoS / reason codes. */
export function subscribe(client: MqttClient, topic: string | string[], opts: mqtt.IClientSubscribeOptions = { qos: 0 }): Promise<number[]> {
  return client.subscribeAsync(topic, opts).then((granted) => granted.map((g) => g.qos));
}
