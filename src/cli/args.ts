/** Minimal flag parsing: --name value, --name=value, --flag. */
export interface ParsedArgs {
  command: string | undefined;
  flags: Record<string, string | boolean>;
  rest: string[];
}

export function parseArgs(argv: string[], booleans: Set<string>): ParsedArgs {
  const flags: Record<string, string | boolean> = {};
  const rest: string[] = [];
  let command: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
      if (eq >= 0) flags[name] = a.slice(eq + 1);
      else if (booleans.has(name)) flags[name] = true;
      else if (i + 1 < argv.length) flags[name] = argv[++i];
      else throw new Error(`flag --${name} needs a value`);
    } else if (a === '-h') flags.help = true;
    else if (command === undefined) command = a;
    else rest.push(a);
  }
  return { command, flags, rest };
}
