/**
 * Picks the socket adapter for the running runtime. The broker imports only this module and
 * types.ts; adapters are loaded lazily so neither runtime parses the other's code path.
 */
import type { ConnectionHandlers, ListenOptions, Listener, Transport } from "./types.ts";
import { RESERVED_DESCRIPTORS, reserveDescriptorTable } from "./fd_table.ts";

export type { Connection, ConnectionHandlers, ListenOptions, Listener, Transport } from "./types.ts";
export { transportStats } from "./write_batch.ts";

/** Which runtime we are on: "bun", "deno", or "unknown" (Node has no adapter). */
export function detectRuntime(): "bun" | "deno" | "unknown" {
  const g = globalThis as { Bun?: unknown; Deno?: unknown };
  if (g.Bun !== undefined) return "bun";
  if (g.Deno !== undefined) return "deno";
  return "unknown";
}

/** Creates the transport for the current runtime (Bun.listen on Bun, Deno.listen on Deno). */
export function createTransport(): Transport {
  const runtime = detectRuntime();
  if (runtime === "unknown") throw new Error("Vireo needs Bun or Deno: no socket adapter for this runtime");
  return {
    async listen(opts: ListenOptions, handlers: ConnectionHandlers): Promise<Listener> {
      reserveDescriptorTable(opts.reserveDescriptors ?? RESERVED_DESCRIPTORS);
      const impl: Transport = runtime === "bun"
        ? new (await import("./bun.ts")).BunTransport()
        : new (await import("./deno_listener.ts")).DenoTransport();
      return impl.listen(opts, handlers);
    },
  };
}
