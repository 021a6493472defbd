/**
 * Runs the runtime's helper threads (JIT compiler, GC helpers, thread pools) at Linux SCHED_IDLE,
 * so they get CPU only when the event loop does not want it.
 *
 * Why: the event loop is Vireo's only thread of work. The runtime's helper threads wake up on their
 * own schedule (a compile finished its queue, a concurrent GC phase began) and, on a busy or pinned
 * core, the kernel lets them run in the middle of a burst of messages: those messages wait for a
 * time slice. At SCHED_IDLE they run in the gaps instead. Measured with mqbench at 10,000 msgs/s,
 * broker pinned to one core: see the README's benchmark section.
 *
 * The runtime still makes progress under full load: SCHED_IDLE threads get a small share of a busy
 * core, and both JavaScriptCore and V8 let the main thread finish a collection itself when it must.
 *
 * Linux only, through libc's sched_setscheduler by FFI (Bun: bun:ffi; Deno: Deno.dlopen, which needs
 * --allow-ffi, part of -A). Anywhere else, or without permission, it does nothing.
 */
import { readdirSync } from "node:fs";
import process from "node:process";

/** Linux scheduling policy for very low priority background jobs (sched(7)). */
const SCHED_IDLE = 5;
/** How often threads started since the last pass are looked for. */
const RESCAN_MS = 10_000;

type SetScheduler = (tid: number, policy: number, param: Int32Array) => number;

/** Binds libc's sched_setscheduler with the runtime's FFI; null when not possible. */
async function bindSetScheduler(): Promise<SetScheduler | null> {
  if (process.platform !== "linux") return null;
  try {
    const deno = (globalThis as unknown as { Deno?: DenoFfi }).Deno;
    if (deno !== undefined) {
      const lib = deno.dlopen("libc.so.6", {
        sched_setscheduler: { parameters: ["i32", "i32", "buffer"], result: "i32" },
      });
      return (tid, policy, param) => lib.symbols.sched_setscheduler(tid, policy, param);
    }
    const ffi = await import("bun:ffi" as string) as BunFfi;
    const lib = ffi.dlopen("libc.so.6", {
      sched_setscheduler: { args: ["i32", "i32", "ptr"], returns: "i32" },
    });
    return (tid, policy, param) => lib.symbols.sched_setscheduler(tid, policy, ffi.ptr(param));
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

/** What `idleRuntimeThreads` did: how many threads it moved to SCHED_IDLE, and how to stop rescanning. */
export interface IdleThreads {
  /** Helper threads moved to SCHED_IDLE so far. */
  readonly demoted: number;
  /** Stops looking for new helper threads (the ones moved stay at SCHED_IDLE). */
  stop(): void;
}

/**
 * Moves every thread of this process except the main one to SCHED_IDLE, now and every 10 s for
 * threads started since (the timer does not keep the process alive). Resolves with `demoted: 0`
 * and no timer where it cannot work (not Linux, no FFI permission).
 */
export async function idleRuntimeThreads(): Promise<IdleThreads> {
  const setScheduler = await bindSetScheduler();
  const state = { demoted: 0, stop() {} };
  if (setScheduler === null) return state;
  const param = new Int32Array(1); // struct sched_param { int sched_priority = 0 }
  let seen = new Set<number>();
  const pass = () => {
    const now = new Set<number>();
    for (const tid of threadIds()) {
      now.add(tid);
      if (tid === process.pid || seen.has(tid)) continue;
      if (setScheduler(tid, SCHED_IDLE, param) === 0) state.demoted++;
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
  dlopen(path: string, symbols: Record<string, { parameters: string[]; result: string }>): {
    symbols: { sched_setscheduler(tid: number, policy: number, param: Int32Array): number };
  };
}

interface BunFfi {
  dlopen(path: string, symbols: Record<string, { args: string[]; returns: string }>): {
    symbols: { sched_setscheduler(tid: number, policy: number, param: unknown): number };
  };
  ptr(view: ArrayBufferView): unknown;
}
