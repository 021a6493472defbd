/**
 * Timers that must never keep the process alive on their own (the broker tick, close deadlines).
 * Each runtime spells "unref" differently; this hides the difference.
 */

/** Lets the runtime exit while only our tick is pending (Bun/Node timer objects, Deno ids). */
export function unrefTimer(t: ReturnType<typeof setInterval>): void {
  const obj = t as unknown as { unref?: () => void };
  if (typeof obj === "object" && obj !== null && typeof obj.unref === "function") {
    obj.unref();
    return;
  }
  const deno = (globalThis as { Deno?: { unrefTimer?: (id: number) => void } }).Deno;
  if (typeof t === "number" && deno?.unrefTimer !== undefined) {
    try {
      deno.unrefTimer(t);
    } catch {
      // mocked timer ids are unknown to Deno: nothing to unref
    }
  }
}
