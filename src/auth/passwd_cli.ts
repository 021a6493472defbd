/**
 * `vireo passwd`: manages a Mosquitto password file like `mosquitto_passwd`, writing `$7$`
 * (PBKDF2-HMAC-SHA512) entries Mosquitto itself accepts.
 *
 *   vireo passwd [-c] [-I ITERATIONS] [-H sha512-pbkdf2|sha512] FILE USER        asks twice, no echo
 *   vireo passwd [-c] [-I ITERATIONS] [-H sha512-pbkdf2|sha512] -b FILE USER PASSWORD
 *   vireo passwd -D FILE USER
 *
 * -c creates (or overwrites) the file; otherwise the user is added or its password replaced.
 * The file is rewritten through a temporary file and a rename, mode 0600 when created, so a
 * broker reading it (SIGHUP) never sees half a file.
 */
import process from "node:process";
import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { DEFAULT_ITERATIONS, formatHash, hashPassword, PasswordFile } from "./password_file.ts";
import { ConfigError } from "../config/validate.ts";

/** Usage text. */
export const PASSWD_HELP = `Usage: vireo passwd [-H sha512-pbkdf2 | -H sha512] [-I iterations] [-c | -D] FILE USER
       vireo passwd [-H sha512-pbkdf2 | -H sha512] [-I iterations] [-c] -b FILE USER PASSWORD
 -b : batch mode: the password is the last argument (it shows in the process list: prefer the prompt).
 -c : create a new password file (an existing one is overwritten).
 -D : delete USER from FILE.
 -H : hash: sha512-pbkdf2 ($7$, default) or sha512 ($6$, legacy).
 -I : PBKDF2 iterations (default ${DEFAULT_ITERATIONS}, as mosquitto_passwd).
The file format is Mosquitto's: FILE works with mosquitto's password_file and Vireo's passwordFile.
`;

/** Parsed arguments. */
interface PasswdArgs {
  create: boolean;
  remove: boolean;
  batch: boolean;
  kind: 6 | 7;
  iterations: number;
  file: string;
  user: string;
  password?: string;
}

/** @throws ConfigError for bad usage. */
export function parsePasswdArgs(argv: readonly string[]): PasswdArgs {
  const a = { create: false, remove: false, batch: false, kind: 7 as 6 | 7, iterations: DEFAULT_ITERATIONS };
  let i = 0;
  for (; i < argv.length && argv[i].startsWith("-"); i++) {
    const f = argv[i];
    if (f === "-c") a.create = true;
    else if (f === "-D") a.remove = true;
    else if (f === "-b") a.batch = true;
    else if (f === "-H" || f === "-I") {
      const v = argv[++i];
      if (v === undefined) throw new ConfigError(`${f} needs a value`);
      if (f === "-H") {
        if (v !== "sha512-pbkdf2" && v !== "sha512") throw new ConfigError(`unknown hash type "${v}"`);
        a.kind = v === "sha512" ? 6 : 7;
      } else {
        if (!/^\d{1,9}$/.test(v) || Number(v) < 1) throw new ConfigError(`-I: iterations must be a positive integer, got "${v}"`);
        a.iterations = Number(v);
      }
    } else throw new ConfigError(`unknown option ${f}`);
  }
  if (a.create && a.remove) throw new ConfigError("-c and -D cannot be used together");
  if (a.batch && a.remove) throw new ConfigError("-b and -D cannot be used together");
  const rest = argv.slice(i);
  const want = a.batch ? 3 : 2;
  if (rest.length !== want) throw new ConfigError(a.batch ? "-b needs FILE USER PASSWORD" : "FILE and USER are required");
  const [file, user, password] = rest;
  if (user === "" || user.includes(":")) throw new ConfigError("a user name must be non-empty and contain no ':'");
  return { ...a, file, user, password };
}

/** Reads one line from stdin without echo when it is a terminal. */
async function readSecret(prompt: string, lines: AsyncIterator<string>): Promise<string> {
  const stdin = process.stdin as typeof process.stdin & { setRawMode?(on: boolean): void };
  process.stderr.write(prompt);
  if (!stdin.isTTY || stdin.setRawMode === undefined) {
    const r = await lines.next();
    if (r.done) throw new ConfigError("no password on standard input");
    return r.value;
  }
  stdin.setRawMode(true);
  try {
    return await new Promise<string>((resolve, reject) => {
      let s = "";
      const onData = (d: Uint8Array | string): void => {
        for (const ch of typeof d === "string" ? d : new TextDecoder().decode(d)) {
          if (ch === "\r" || ch === "\n") {
            stdin.off("data", onData);
            process.stderr.write("\n");
            return resolve(s);
          }
          if (ch === "\u0003" || ch === "\u0004") { // Ctrl-C, Ctrl-D
            stdin.off("data", onData);
            process.stderr.write("\n");
            return reject(new ConfigError("cancelled"));
          }
          if (ch === "\u007f" || ch === "\b") s = s.slice(0, -1);
          else s += ch;
        }
      };
      stdin.on("data", onData);
    });
  } finally {
    stdin.setRawMode(false);
  }
}

/** Async line iterator over stdin (for prompts when stdin is not a terminal). */
async function* stdinLines(): AsyncGenerator<string> {
  let buf = "";
  for await (const chunk of process.stdin) {
    buf += typeof chunk === "string" ? chunk : new TextDecoder().decode(chunk as Uint8Array);
    let nl: number;
    while ((nl = buf.indexOf("\n")) >= 0) {
      yield buf.slice(0, nl).replace(/\r$/, "");
      buf = buf.slice(nl + 1);
    }
  }
  if (buf !== "") yield buf;
}

/** The file's lines without USER's entry (checked to be a valid password file first). */
function otherLines(file: string, user: string): { lines: string[]; found: boolean } {
  const text = readFileSync(file, "utf8");
  PasswordFile.parse(text, file); // refuse to rewrite a file we cannot read back
  const lines = text.split("\n").filter((l) => l !== "");
  const kept = lines.filter((l) => l.startsWith("#") || l.slice(0, l.indexOf(":")).trim() !== user);
  return { lines: kept, found: kept.length !== lines.length };
}

/** Writes `lines` to `file` atomically (temporary file + rename), keeping an existing file's mode. */
function writeAtomically(file: string, lines: string[]): void {
  const mode = existsSync(file) ? statSync(file).mode & 0o777 : 0o600;
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, lines.map((l) => `${l}\n`).join(""), { mode });
  renameSync(tmp, file);
}

/**
 * Runs `vireo passwd` with `argv` (after "passwd"). Returns the exit code: 0 done, 1 failure
 * (message on stderr), 2 bad usage.
 */
export async function passwdMain(argv: readonly string[]): Promise<number> {
  let args: PasswdArgs;
  try {
    args = parsePasswdArgs(argv);
  } catch (err) {
    console.error(`vireo passwd: ${(err as Error).message}\n\n${PASSWD_HELP}`);
    return 2;
  }
  try {
    let lines: string[] = [];
    if (!args.create) {
      if (!existsSync(args.file)) throw new ConfigError(`${args.file} does not exist (use -c to create it)`);
      const other = otherLines(args.file, args.user);
      if (args.remove && !other.found) throw new ConfigError(`user ${args.user} not found in ${args.file}`);
      lines = other.lines;
    }
    if (!args.remove) {
      let password = args.password;
      if (password === undefined) {
        const input = stdinLines();
        password = await readSecret("Password: ", input);
        const again = await readSecret("Reenter password: ", input);
        if (password !== again) throw new ConfigError("passwords do not match");
      }
      const e = await hashPassword(new TextEncoder().encode(password), args.iterations, args.kind);
      lines.push(`${args.user}:${formatHash(e)}`);
    }
    writeAtomically(args.file, lines);
    return 0;
  } catch (err) {
    console.error(`vireo passwd: ${(err as Error).message}`);
    return 1;
  }
}
