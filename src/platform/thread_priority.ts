/**
 * Lowers the priority (raises the nice value) of the runtime's helper threads: the JIT compilers,
 * GC helpers and thread pools of Bun/JavaScriptCore or Deno/V8. The event loop keeps its priority.
 *
 * Why: the event loop is Vireo's only thread of work. The helper threads wake on their own schedule
 * (a compile queue filled up, a concurrent GC phase began) and on a busy or pinned core the kernel
 * gives them equal turns: during a reconnect storm the JIT took 28 % of the broker's core. At nice 19
 * they get about 1.5 % of a core the event loop keeps busy, and all of it when it idles. Not
 * SCHED_IDLE: starving the compilers outright left code that the warm-up did not reach unoptimised
 * for as long as the load lasted (serving 100,000 retained messages took 3× as long). Measured with
 * mqbench, broker pinned to one core: see the README's benchmark section.
 *
 * Linux only, through libc's setpriority by FFI (Bun: bun:ffi; Deno: Deno.dlopen, which needs
 * --allow-ffi, part of -A). Anywhere else, or without permission, it does nothing.
 */
import { readdirSync } from "node:fs";
import process from "node:process";

/** setpriority(2) `which`: a process id, which on Linux may name a single thread. */
const PRIO_PROCESS = 0;
/** How often threads started since the last pass are looked for. */
const RESCAN_MS = 10_000;

type SetPriority = (tid: number, nice: number) => number;

/** Binds libc's setpriority with the runtime's FFI; null when not possible. */
async function bindSetPriority(): Promise<SetPriority | null> {
  if (process.platform !== "linux") return null;
  try {
    const deno = (globalThis as unknown as { Deno?: DenoFfi }).Deno;
    if (deno !== undefined) {
      // Only if already granted: asking would prompt on a terminal and hold up the start.
      const granted = (desc: object) => deno.permissions.querySync(desc).state === "granted";
      if (!granted({ name: "ffi" }) || !granted({ name: "read", path: "/proc/self/task" })) return null;
      const lib = deno.dlopen("libc.so.6", { setpriority: { parameters: ["i32", "u32", "i32"], result: "i32" } });
      return (tid, nice) => lib.symbols.setpriority(PRIO_PROCESS, tid, nice);
    }
    const ffi = await import("bun:ffi" as string) as BunFfi;
    const lib = ffi.dlopen("libc.so.6", { setpriority: { args: ["i32", "u32", "i32"], returns: "i32" } });
    return (tid, nice) => lib.symbols.setpriority(PRIO_PROCESS, tid, nice);
  } catch {
    return null; // no FFI, no permission, or no glibc: helper threads keep their priority
  }
}

/** Thread ids of this process (the main thread's id is the process id). */
function threadIds(): number[] {
  try {
    return readdirSync("/proc/self/task").map(Number);
  } catch {
    return [];
  }
}

/** What `lowerRuntimeThreads` did, and how to stop it looking for new threads. */
export interface LoweredThreads {
  /** Helper threads given the lower priority so far. */
  readonly lowered: number;
  /** Stops looking for new helper threads (the ones lowered stay so). */
  stop(): void;
}

/**
 * Sets the nice value of every thread of this process except the main one to `nice` (1..19), now
 * and every 10 s for threads started since (the timer does not keep the process alive). Resolves
 * with `lowered: 0` and no timer where it cannot work (not Linux, no FFI permission) or for nice 0.
 */
export async function lowerRuntimeThreads(nice: number): Promise<LoweredThreads> {
  const state = { lowered: 0, stop() {} };
  const setPriority = nice > 0 ? await bindSetPriority() : null;
  if (setPriority === null) return state;
  let seen = new Set<number>();
  const pass = () => {
    const now = new Set<number>();
    for (const tid of threadIds()) {
      now.add(tid);
      if (tid === process.pid || seen.has(tid)) continue;
      if (setPriority(tid, nice) === 0) state.lowered++;
    }
    seen = now; // threads that ended are forgotten, so the set stays as small as the thread list
  };
  pass();
  const timer = setInterval(pass, RESCAN_MS);
  (timer as { unref?: () => void }).unref?.();
  state.stop = () => clearInterval(timer);
  return state;
}

interface DenoFfi {
  permissions: { querySync(desc: object): { state: string } };
  dlopen(path: string, symbols: Record<string, { parameters: string[]; result: string }>): {
    symbols: { setpriority(which: number, who: number, prio: number): number };
  };
}

interface BunFfi {
  dlopen(path: string, symbols: Record<string, { args: string[]; returns: string }>): {
    symbols: { setpriority(which: number, who: number, prio: number): number };
  };
}
