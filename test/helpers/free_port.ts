/**
 * A free loopback port, for the tests and the benchmarks that start a process of their own (one
 * copy for both: bench/e2e/procs.ts re-exports it).
 */
import { createServer } from "node:net";

/** A TCP port on 127.0.0.1 free right now (bound and released), for a process the caller starts. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}
