// The vmasim command line: dispatches to a command and turns errors into exit statuses
// (0 clean, 1 an expectation or invariant failed, 2 usage, input or internal error).

import { COMMANDS, findCommand } from "./commands.js";
import { UsageError } from "./errors.js";
import { commandHelp, mainHelp } from "./help.js";
import { isBrokenPipe, processIo, writeAll, type CliIo } from "./io.js";
import { parseCommand, type CommandSpec } from "./spec.js";
import { readVersion } from "./version.js";

const COMMAND_NAMES = [...COMMANDS.map((c) => c.name), "help"].join(", ");

function commandNamed(name: string): CommandSpec {
  const cmd = findCommand(name);
  if (cmd) return cmd;
  throw new UsageError(`unknown command '${name}', choose one of: ${COMMAND_NAMES}`, false);
}

/** `vmasim help [COMMAND]`. */
async function help(argv: readonly string[], io: CliIo): Promise<number> {
  if (argv.length > 1) {
    throw new UsageError(`unexpected argument '${argv[1]}', give one COMMAND or none`, false);
  }
  const name = argv[0];
  await writeAll(
    io.stdout,
    name === undefined ? mainHelp(COMMANDS) : commandHelp(commandNamed(name)),
  );
  return 0;
}

/** Runs the words after `vmasim`; `command` is set as soon as it is known, for messages. */
async function dispatch(
  argv: readonly string[],
  io: CliIo,
  where: { command?: string },
): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) {
    await writeAll(io.stderr, mainHelp(COMMANDS));
    return 2;
  }
  if (first.startsWith("-")) {
    if (rest.length > 0) {
      throw new UsageError(
        `'${first}' takes no arguments, give it alone or use 'vmasim help COMMAND'`,
        false,
      );
    }
    if (first === "-h" || first === "--help") return help([], io);
    if (first === "-V" || first === "--version") {
      await writeAll(io.stdout, `${await readVersion()}\n`);
      return 0;
    }
    throw new UsageError(`unknown option '${first}'`);
  }
  if (first === "help") {
    where.command = "help";
    return help(rest, io);
  }
  const cmd = commandNamed(first);
  where.command = cmd.name;
  const args = parseCommand(cmd, rest);
  if (args.flag("help")) {
    await writeAll(io.stdout, commandHelp(cmd));
    return 0;
  }
  return cmd.run(args, io);
}

/**
 * Runs `vmasim` with `argv` (the words after the program name) and returns the exit status;
 * never exits the process. Data goes to `io.stdout`, diagnostics to `io.stderr`.
 */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const where: { command?: string } = {};
  try {
    return await dispatch(argv, io, where);
  } catch (e) {
    if (isBrokenPipe(e)) return 0; // the reader went away (`vmasim … | head`)
    const prefix = where.command ? `vmasim ${where.command}` : "vmasim";
    let message: string;
    if (e instanceof UsageError) {
      const topic = where.command ? ` ${where.command}` : "";
      message = `${prefix}: ${e.message}${e.helpHint ? `, see 'vmasim help${topic}'` : ""}`;
    } else {
      message = `${prefix}: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`;
    }
    await writeAll(io.stderr, `${message}\n`).catch(() => undefined); // stderr gone: nothing to tell
    return 2;
  }
}
