/**
 * Command-line flags. Flags override the config file, which overrides the defaults; the broker's
 * main turns a ConfigError into exit code 2 and `help` into printing HELP_TEXT.
 */
import { type Config, ConfigError, DEFAULT_CONFIG, mergeConfig } from "./config.ts";
import { readAnyConfigFile } from "./load.ts";
import { checkValue, CONFIG_KEYS, valueKind } from "./validate.ts";

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
  /** Things the user should know before the broker starts (ignored mosquitto.conf keys, ...). */
  warnings: string[];
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
  -c, --config FILE    config file: FILE.conf in Mosquitto's mosquitto.conf syntax
                       (listener blocks, TLS, include_dir; see README), any other
                       name JSON; flags override its settings. -p / --host replace
                       the file's listeners with one plain MQTT listener
      --data DIR       keep retained messages and persistent sessions in DIR
                       (default ./${DEFAULT_CONFIG.persistenceLocation}: persistence is on from the command line)
      --memory         keep nothing on disk (persistence false)
  -v, --verbose        log connections and protocol errors to stderr
      --log-format F   log lines as "text" (default) or "json" (one object per line)
      --log-type T     a kind of line to write (Mosquitto's log_type; repeatable; all, none)
      --log-dest D     where to write: stderr (default), stdout, "file PATH", none (repeatable)
      --sys-interval S seconds between $SYS/broker updates (default ${DEFAULT_CONFIG.sysInterval}; 0 = off)
      --http HOST:PORT serve /metrics, the admin API and the dashboard (e.g. 127.0.0.1:8080)
      --api-token TOK  bearer token for the HTTP API (required beyond 127.0.0.1)
  -h, --help           show this help and exit

JSON config keys (one object, all optional):
${wrapKeys(CONFIG_KEYS, 78)}
  (documented with their defaults in src/config/config.ts)

Exit codes: 0 ok (also after SIGINT or SIGTERM), 1 shutdown failed, 2 bad flag or config,
an address that cannot be bound (e.g. "address already in use"), reported before the warm-up, or
an unusable data directory or database (locked by another broker, unreadable, corrupt).
`;

/** Flags that take a value, by spelling, and the setting they fill ("config" = the file path). */
const VALUE_FLAGS: Record<string, keyof Config | "config"> = {
  "-p": "port",
  "--port": "port",
  "--host": "host",
  "-c": "config",
  "--config": "config",
  "--log-format": "logFormat",
  "--log-type": "logType",
  "--log-dest": "logDest",
  "--sys-interval": "sysInterval",
  "--http": "httpListen",
  "--api-token": "apiToken",
  "--data": "persistenceLocation",
};

/** Flags without a value. */
const SWITCHES: Record<string, "verbose" | "help" | "memory"> = {
  "--memory": "memory",
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
      else if (sw === "memory") out.overrides.persistence = false;
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
    if (target === "persistenceLocation") out.overrides.persistence = true;
  }
  if (argv.includes("--memory") && argv.some((a) => a === "--data" || a.startsWith("--data="))) {
    throw new ConfigError("--data and --memory contradict each other");
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
  } else if (valueKind(target) === "list") {
    // Repeatable: the flags' list replaces the file's.
    const list = [...((out.overrides as Record<string, string[] | undefined>)[target] ?? []), value];
    checkValue(target, list, flag);
    (out.overrides as Record<string, unknown>)[target] = list;
  } else if (valueKind(target) === "integer") {
    // Strict digits, as for the port: Number("") is 0.
    if (!/^\d{1,9}$/.test(value)) throw new ConfigError(`${flag}: "${target}" must be an integer, got "${value}"`, target);
    checkValue(target, Number(value), flag);
    (out.overrides as Record<string, unknown>)[target] = Number(value);
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
  const { configPath, overrides } = args;
  if (args.help) return { config: mergeConfig(CLI_DEFAULTS, overrides), configPath, help: true, warnings: [] };
  const file = configPath === undefined ? { config: {}, warnings: [] } : readAnyConfigFile(configPath);
  const config = mergeConfig(CLI_DEFAULTS, file.config, overrides);
  const listeners = file.config.listeners ?? [];
  if (listeners.length > 0 && (overrides.port !== undefined || overrides.host !== undefined)) {
    // -p / --host mean one TCP listener, as without a file.
    config.listeners = [];
    file.warnings.push(`-p / --host given: the ${listeners.length} listener(s) of ${configPath} are replaced by one mqtt listener on ${config.host}:${config.port}`);
  }
  return { config, configPath, help: false, warnings: file.warnings };
}

/** The command line's defaults: the library's, with persistence on (in ./data) unless told otherwise. */
export const CLI_DEFAULTS: Readonly<Config> = Object.freeze({ ...DEFAULT_CONFIG, persistence: true });
