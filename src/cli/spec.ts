// The declarative command table: each command's options, arguments and examples, parsed
// with node:util parseArgs (strict) and rendered as --help from the same description.

import { parseArgs } from "node:util";
import { UsageError } from "./errors.js";
import type { CliIo } from "./io.js";

/** One command-line option. */
export interface OptionSpec {
  /** Long name, without the dashes. */
  name: string;
  short?: string;
  type: "string" | "boolean";
  /** Placeholder for the value in help (string options). */
  value?: string;
  /** The only values accepted (string options). */
  choices?: readonly string[];
  /** Value when the option is absent (string options); shown in help. */
  default?: string;
  help: string;
}

/** One command: what it does, how it is called, and the function that runs it. */
export interface CommandSpec {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Synopsis of the positional arguments, e.g. `FILE…`. */
  args: string;
  /** How many positional arguments it takes. */
  minArgs: number;
  maxArgs: number;
  /** Command lines and what each does; help shows them first. */
  examples: ReadonlyArray<readonly [string, string]>;
  options: readonly OptionSpec[];
  /** Exit statuses and their meaning. */
  exits: ReadonlyArray<readonly [number, string]>;
  run(args: ParsedArgs, io: CliIo): Promise<number>;
}

/** Every command takes -h/--help. */
export const HELP_OPTION: OptionSpec = {
  name: "help",
  short: "h",
  type: "boolean",
  help: "show this help",
};

/** The options of one invocation, read by name. */
export class ParsedArgs {
  constructor(
    private readonly values: Readonly<Record<string, string | boolean | undefined>>,
    readonly positionals: readonly string[],
  ) {}

  /** A string option's value, or undefined when absent and without default. */
  optional(name: string): string | undefined {
    const v = this.values[name];
    return typeof v === "string" ? v : undefined;
  }

  /** A string option that has a default. */
  string(name: string): string {
    const v = this.optional(name);
    if (v === undefined) throw new Error(`cli: option --${name} has no value and no default`);
    return v;
  }

  /** Whether a boolean option was given. */
  flag(name: string): boolean {
    return this.values[name] === true;
  }
}

/** The options a command accepts, -h/--help included. */
export function optionsOf(cmd: CommandSpec): readonly OptionSpec[] {
  return [...cmd.options, HELP_OPTION];
}

/** Whether -h/--help appears before any `--`: then help wins over every other word. */
function asksForHelp(argv: readonly string[]): boolean {
  const end = argv.indexOf("--");
  return (end < 0 ? argv : argv.slice(0, end)).some((a) => a === "-h" || a === "--help");
}

/**
 * Parses `argv` (the words after the command name) against the command's table. Throws
 * UsageError on unknown options, missing values, values outside `choices` and a wrong
 * number of positional arguments. With -h/--help anywhere, returns just `help`.
 */
export function parseCommand(cmd: CommandSpec, argv: readonly string[]): ParsedArgs {
  if (asksForHelp(argv)) return new ParsedArgs({ help: true }, []);
  const options = Object.fromEntries(
    optionsOf(cmd).map((o) => [
      o.name,
      {
        type: o.type,
        ...(o.short === undefined ? {} : { short: o.short }),
        ...(o.default === undefined ? {} : { default: o.default }),
      },
    ]),
  );
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: true });
  } catch (e) {
    if (!String((e as NodeJS.ErrnoException).code).startsWith("ERR_PARSE_ARGS_")) throw e;
    throw new UsageError(parseArgsMessage(e as Error & { code: string }));
  }
  const args = new ParsedArgs(parsed.values, parsed.positionals);
  for (const o of cmd.options) {
    const v = args.optional(o.name);
    if (o.choices && v !== undefined && !o.choices.includes(v)) {
      throw new UsageError(`--${o.name}: '${v}' is not one of ${o.choices.join(", ")}`, false);
    }
  }
  const n = args.positionals.length;
  if (n < cmd.minArgs) throw new UsageError(`missing ${cmd.args}`);
  if (n > cmd.maxArgs) {
    throw new UsageError(`unexpected argument '${args.positionals[cmd.maxArgs]}'`);
  }
  return args;
}

/** parseArgs' messages, made short: "unknown option '--x'". */
function parseArgsMessage(e: Error & { code: string }): string {
  if (e.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    return `unknown option '${/'([^']+)'/.exec(e.message)?.[1] ?? "?"}'`;
  }
  return e.message.charAt(0).toLowerCase() + e.message.slice(1);
}
