/**
 * Command-line flags. Flags override the config file, which overrides the defaults; the broker's
 * main turns a ConfigError into exit code 2 and `help` into printing HELP_TEXT.
 */
import { type Config, ConfigError, DEFAULT_CONFIG, mergeConfig, readConfigFile } from "./config.ts";
import { checkValue, CONFIG_KEYS } from "./validate.ts";

/** What the command line asked for. */
export interface CliArgs {
  /** Settings given as flags, already validated. */
  overrides: Partial<Config>;
  /** -c/--config FILE, if given. */
  configPath?: string;
  /** --help/-h was given: print HELP_TEXT and exit 0. */
  help: boolean;
}

/** The final configuration plus what else the command line asked for. */
export interface ResolvedConfig {
  config: Config;
  configPath?: string;
  help: boolean;
}

/** Lists keys comma-separated, indented, wrapped to `width` columns. */
function wrapKeys(keys: readonly string[], width: number): string {
  const lines: string[] = [];
  let line = " ";
  for (let i = 0; i < keys.length; i++) {
    const word = ` ${keys[i]}${i < keys.length - 1 ? "," : ""}`;
    if (line.length + word.length > width) {
      lines.push(line);
      line = " ";
    }
    line += word;
  }
  lines.push(line);
  return lines.join("\n");
}

/** Usage text for --help. */
export const HELP_TEXT = `Usage: vireo [options]

Vireo: an MQTT 3.1 / 3.1.1 / 5.0 broker.

Options:
  -p, --port PORT      TCP port to listen on (default ${DEFAULT_CONFIG.port}; 0 = any free port)
      --host HOST      interface to bind (default 127.0.0.1 without authentication,
                       else 0.0.0.0)
  -c, --config FILE    JSON config file; flags override its settings
  -v, --verbose        log connections and protocol errors to stderr
  -h, --help           show this help and exit

Config file keys (JSON object, all optional):
${wrapKeys(CONFIG_KEYS, 78)}
  (documented with their defaults in src/config/config.ts)

Exit codes: 0 ok, 2 bad flag or config.
`;

/** Flags that take a value, by spelling, and the setting they fill ("config" = the file path). */
const VALUE_FLAGS: Record<string, keyof Config | "config"> = {
  "-p": "port",
  "--port": "port",
  "--host": "host",
  "-c": "config",
  "--config": "config",
};

/** Flags without a value. */
const SWITCHES: Record<string, "verbose" | "help"> = {
  "-v": "verbose",
  "--verbose": "verbose",
  "-h": "help",
  "--help": "help",
};

/**
 * Parses user arguments (argv without the runtime and script, e.g. process.argv.slice(2) or
 * Deno.args). Accepts `--flag value` and `--flag=value`.
 * @throws ConfigError for an unknown flag, a missing or invalid value, or a stray argument.
 */
export function parseArgs(argv: readonly string[]): CliArgs {
  const out: CliArgs = { overrides: {}, help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.startsWith("--") ? arg.indexOf("=") : -1;
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const sw = SWITCHES[flag];
    if (sw !== undefined && eq < 0) {
      if (sw === "help") out.help = true;
      else out.overrides.verbose = true;
      continue;
    }
    const target = Object.prototype.hasOwnProperty.call(VALUE_FLAGS, flag) ? VALUE_FLAGS[flag] : undefined;
    if (target === undefined) {
      if (sw !== undefined) throw new ConfigError(`${flag} takes no value`);
      throw new ConfigError(arg.startsWith("-") ? `unknown option ${flag} (see --help)` : `unexpected argument "${arg}" (see --help)`);
    }
    let value: string;
    if (eq > 0) value = arg.slice(eq + 1);
    else {
      if (i + 1 >= argv.length) throw new ConfigError(`${flag} needs a value`);
      value = argv[++i];
    }
    applyValue(out, target, flag, value);
  }
  return out;
}

function applyValue(out: CliArgs, target: keyof Config | "config", flag: string, value: string): void {
  if (target === "config") {
    if (value === "") throw new ConfigError(`${flag} needs a file name`);
    out.configPath = value;
  } else if (target === "port") {
    // Strict digits: Number("") is 0 and Number("0x10") is 16, neither of which a user meant.
    if (!/^\d{1,5}$/.test(value)) throw new ConfigError(`${flag}: "port" must be an integer between 0 and 65535, got "${value}"`, "port");
    const port = Number(value);
    checkValue("port", port, flag);
    out.overrides.port = port;
  } else {
    checkValue(target, value, flag);
    (out.overrides as Record<string, unknown>)[target] = value;
  }
}

/**
 * The broker's configuration from the command line: defaults, then the -c file, then flags.
 * When --help is given the file is not read (help must work even with a broken config).
 * @throws ConfigError
 */
export function resolveConfig(argv: readonly string[]): ResolvedConfig {
  const args = parseArgs(argv);
  if (args.help) return { config: mergeConfig(DEFAULT_CONFIG, args.overrides), configPath: args.configPath, help: true };
  const fromFile = args.configPath === undefined ? {} : readConfigFile(args.configPath);
  return { config: mergeConfig(DEFAULT_CONFIG, fromFile, args.overrides), configPath: args.configPath, help: false };
}
