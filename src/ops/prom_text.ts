/**
 * A writer for the Prometheus text exposition format 0.0.4: one `# HELP` and `# TYPE` line per
 * family, then its samples. Small on purpose: the values are read from the broker's counters when
 * scraped, so a client library's registry (and its per-event `inc()` calls) would add nothing but
 * cost; see the README's metrics section for the decision.
 */

/** Content-Type of the format. */
export const PROM_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** Label name → value. */
export type Labels = Readonly<Record<string, string>>;

/** Accumulates one exposition. */
export class PromText {
  private readonly lines: string[] = [];

  /** A family with one unlabelled sample. */
  counter(name: string, help: string, value: number): this {
    return this.family(name, "counter", help, [[null, value]]);
  }

  /** A gauge with one unlabelled sample. */
  gauge(name: string, help: string, value: number): this {
    return this.family(name, "gauge", help, [[null, value]]);
  }

  /** A family of `type` with its samples (labels, value). Counter names end in `_total`. */
  family(name: string, type: "counter" | "gauge", help: string, samples: ReadonlyArray<readonly [Labels | null, number]>): this {
    this.lines.push(`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) this.lines.push(`${name}${formatLabels(labels)} ${formatValue(value)}`);
    return this;
  }

  /** The exposition text (ends with a newline, as the format requires). */
  toString(): string {
    return this.lines.join("\n") + "\n";
  }
}

function formatLabels(labels: Labels | null): string {
  if (labels === null) return "";
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
  return parts.length === 0 ? "" : `{${parts.join(",")}}`;
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  return String(v);
}

/** HELP text: backslash and newline escaped. */
function escapeHelp(s: string): string {
  return s.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

/** Label values: backslash, double quote and newline escaped. */
function escapeLabel(s: string): string {
  return s.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}
