/**
 * `vireo`: the MQTT 3.1 / 3.1.1 / 5.0 broker for Bun and Deno.
 *
 * @example
 * import { Broker } from "vireo";
 * const broker = new Broker({ host: "127.0.0.1", port: 1883 });
 * const { host, port } = await broker.listen();
 * // …
 * await broker.close();
 */
export { Broker } from "./broker/broker.ts";
export type { BrokerOptions } from "./broker/options.ts";
export type { BrokerHooks, ConnectInfo } from "./broker/hooks.ts";
export type { BrokerStats } from "./session/stats.ts";
export { type Config, ConfigError, DEFAULT_CONFIG, loadConfig, mergeConfig } from "./config/config.ts";
export { HELP_TEXT, parseArgs, resolveConfig } from "./config/cli.ts";
export { effectiveListeners } from "./config/config.ts";
export type { ListenerConfig, ListenerProtocol, ListenerTls } from "./config/listener_config.ts";
export { type LoadedConfig, readAnyConfigFile } from "./config/load.ts";
export type { BoundListener } from "./listeners/listener_set.ts";
export type { HttpHandler } from "./listeners/http_routes.ts";
export { ListenerError } from "./listeners/errors.ts";
export * from "./protocol/packets.ts";
export * from "./protocol/reason_codes.ts";
export { MemoryBackend } from "./storage/memory.ts";
export { SqliteBackend, type SqliteOptions, type SyncMode } from "./storage/sqlite.ts";
export { openDataDir, type DataDirOptions } from "./storage/open.ts";
export type { Snapshot, StorageBackend, StoreOp } from "./storage/types.ts";
export { StorageError } from "./storage/types.ts";
