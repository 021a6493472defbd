/**
 * Picks the reader for a config file by its name: `*.conf` is Mosquitto's syntax
 * (mosquitto_conf.ts), anything else JSON (config.ts). Both give the same Partial<Config>.
 */
import { readConfigFile } from "./config.ts";
import { type LoadedConfig, readMosquittoConf } from "./mosquitto_conf.ts";

export type { LoadedConfig } from "./mosquitto_conf.ts";

/** Whether `path` is read as mosquitto.conf (its name ends in ".conf"). */
export function isMosquittoConf(path: string): boolean {
  return path.toLowerCase().endsWith(".conf");
}

/**
 * Reads and validates a config file in either syntax, without applying defaults.
 * @throws ConfigError naming the file (and FILE:LINE for mosquitto.conf).
 */
export function readAnyConfigFile(path: string): LoadedConfig {
  return isMosquittoConf(path) ? readMosquittoConf(path) : { config: readConfigFile(path), warnings: [] };
}
