/**
 * The busiest topics, estimated by sampling: the publish path hands over one topic in SAMPLE_EVERY
 * (core.topicSampler; a decrement per message, no string work), and the sample counts decay
 * once a second into a per-topic rate. Topics published less than a few times a second may not
 * appear; the heavy ones always do, which is what an operator looks for.
 */
import type { PublishSampler } from "../broker/core.ts";

/** One topic in SAMPLE_EVERY is looked at. */
export const SAMPLE_EVERY = 16;
/** Distinct topics tracked at once (new ones wait until quiet ones decay away). */
const MAX_TOPICS = 2000;
/** Weight of the last second in the rate (an exponential average over about 3 s). */
const ALPHA = 0.3;

const utf8 = new TextDecoder();

/** Topic → estimated messages per second. */
export class TopicSampler implements PublishSampler {
  countdown = SAMPLE_EVERY;
  private readonly counts = new Map<string, number>();
  private readonly rates = new Map<string, number>();

  sample(topic: Uint8Array, off: number, len: number): void {
    this.countdown = SAMPLE_EVERY;
    const name = utf8.decode(topic.subarray(off, off + len));
    const n = this.counts.get(name);
    if (n !== undefined) this.counts.set(name, n + 1);
    else if (this.counts.size + this.rates.size < MAX_TOPICS * 2) this.counts.set(name, 1);
  }

  /** Folds the last `dtSec` seconds of samples into the rates. */
  roll(dtSec: number): void {
    if (!(dtSec > 0)) return;
    for (const [name, rate] of this.rates) {
      const fresh = ((this.counts.get(name) ?? 0) * SAMPLE_EVERY) / dtSec;
      const next = rate + ALPHA * (fresh - rate);
      if (next < 0.05) this.rates.delete(name);
      else this.rates.set(name, next);
      this.counts.delete(name);
    }
    for (const [name, n] of this.counts) {
      if (this.rates.size >= MAX_TOPICS) break;
      this.rates.set(name, ALPHA * ((n * SAMPLE_EVERY) / dtSec));
    }
    this.counts.clear();
  }

  /** The `n` topics with the highest estimated rate (messages per second), highest first. */
  busiest(n: number): { topic: string; rate: number }[] {
    return [...this.rates].sort((a, b) => b[1] - a[1]).slice(0, n).map(([topic, rate]) => ({ topic, rate: Math.round(rate * 10) / 10 }));
  }
}
