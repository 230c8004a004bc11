/**
 * Flag parsing: --name value, --name=value, --flag. Each command declares its
 * flags; anything else is a usage error that names the flags the command takes.
 */
export interface ParsedArgs {
  command: string | undefined;
  flags: Record<string, string | boolean>;
  rest: string[];
}

/** A command's flags: `value` flags take the next word (or `=value`), `boolean` flags take none. */
export type FlagSpec = Record<string, 'value' | 'boolean'>;

/** Single-dash short forms, mapped to the long flag they stand for. */
export type ShortFlags = Record<string, string>;

export class ArgsError extends Error {}

/**
 * Parses argv as `<command> [words and flags]`. `specOf(command)` gives the
 * flags the command accepts (`--help` and `-h` always are); flags before the
 * command are checked against `specOf(undefined)`.
 */
export function parseArgs(argv: string[], specOf: (command: string | undefined) => { flags: FlagSpec; short?: ShortFlags }): ParsedArgs {
  const flags: Record<string, string | boolean> = {};
  const rest: string[] = [];
  let command: string | undefined;
  let spec = specOf(undefined);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith('--') && a.length > 2) {
      const eq = a.indexOf('=');
      const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
      const kind = name === 'help' ? 'boolean' : spec.flags[name];
      if (!kind) throw new ArgsError(unknown(`--${name}`, command, spec.flags));
      if (eq >= 0) flags[name] = a.slice(eq + 1);
      else if (kind === 'boolean') flags[name] = true;
      // A value that looks like a flag is the next flag: `--port --ephemeral` lacks the port.
      else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) flags[name] = argv[++i];
      else throw new ArgsError(`flag --${name} needs a value`);
    } else if (a === '-h') flags.help = true;
    else if (a.startsWith('-') && a.length > 1) {
      const long = spec.short?.[a];
      if (!long) throw new ArgsError(unknown(a, command, spec.flags));
      flags[long] = true;
    } else if (command === undefined) {
      command = a;
      spec = specOf(a);
    } else rest.push(a);
  }
  return { command, flags, rest };
}

function unknown(flag: string, command: string | undefined, spec: FlagSpec): string {
  const names = Object.entries(spec).map(([n, kind]) => (kind === 'value' ? `--${n} VALUE` : `--${n}`));
  const takes = names.length ? `takes ${names.join(', ')}` : 'takes no flags';
  return `unknown flag ${flag} (${command ? `berth ${command}` : 'berth'} ${takes}; berth --help for usage)`;
}
