/**
 * The one error a listener raises for bad configuration or a failed bind. Its message is one line
 * naming the listener (and the file, when a file is at fault); the CLI prints it and exits 2.
 */
import type { ListenerConfig } from "../config/listener_config.ts";

/** A listener could not be set up. */
export class ListenerError extends Error {
  override name = "ListenerError";
}

/** How a message names a listener: "listener mqtts 127.0.0.1:8883 (vireo.conf:12)". */
export function describeListener(l: ListenerConfig): string {
  return `listener ${l.protocol} ${l.host}:${l.port}${l.origin === undefined ? "" : ` (${l.origin})`}`;
}
