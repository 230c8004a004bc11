/**
 * The ECS agent's configuration as an EC2 instance's user data writes it:
 * lines appended to /etc/ecs/ecs.config by `echo …`, `printf …`, a heredoc
 * (`cat <<EOF >> /etc/ecs/ecs.config`) or cloud-init `write_files`, inside
 * a shell script or a MIME multi-part document. The agent reads
 * ECS_CLUSTER (none: the `default` cluster, which the agent creates),
 * ECS_INSTANCE_ATTRIBUTES and ECS_CONTAINER_INSTANCE_TAGS (JSON objects),
 * ECS_CONTAINER_INSTANCE_PROPAGATE_TAGS_FROM, ECS_RESERVED_MEMORY and
 * ECS_RESERVED_PORTS; the last assignment of a variable wins, as in a file
 * appended to. Shell expansion is not performed: `$VAR` stays as written.
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-agent-config.html
 */

export interface AgentConfig {
  /** ECS_CLUSTER; undefined when the user data does not set it. */
  cluster?: string;
  attributes: Record<string, string>;
  tags: Record<string, string>;
  propagateTagsFromInstance: boolean;
  reservedMemory: number;
  reservedPorts: number[];
  /** Variables the agent could not use, with why (Berth logs them; the agent refuses to start on some). */
  problems: string[];
}

const CONFIG_FILE = '/etc/ecs/ecs.config';
/** The ports the agent reserves unless ECS_RESERVED_PORTS says otherwise. */
export const DEFAULT_RESERVED_PORTS = [22, 2375, 2376, 51678, 51679];

/** The words of one shell command line, quotes removed, stopping at an unquoted redirection. */
function shellWords(line: string): { words: string[]; redirect?: string } {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  for (; i < line.length; i++) {
    const ch = line[i];
    if (ch === "'") {
      const end = line.indexOf("'", i + 1);
      word += line.slice(i + 1, end < 0 ? line.length : end);
      i = end < 0 ? line.length : end;
      inWord = true;
    } else if (ch === '"') {
      let j = i + 1;
      for (; j < line.length && line[j] !== '"'; j++) {
        if (line[j] === '\\' && j + 1 < line.length && '"\\$`'.includes(line[j + 1])) j++;
        word += line[j];
      }
      i = j;
      inWord = true;
    } else if (ch === '\\' && i + 1 < line.length) {
      word += line[++i];
      inWord = true;
    } else if (ch === '>' || ch === '|' || ch === ';' || ch === '&') {
      break;
    } else if (ch === ' ' || ch === '\t') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  const rest = line.slice(i);
  const m = /^>>?\s*(\S+)/.exec(rest);
  return { words, redirect: m?.[1]?.replace(/^["']|["']$/g, '') };
}

/** The lines user data writes into the agent's config file. */
export function ecsConfigLines(userData: string): string[] {
  const out: string[] = [];
  const text = userData.replace(/\r\n/g, '\n');
  // MIME multi-part: each part on its own (base64 parts decoded).
  const boundary = /boundary="?([^"\s;]+)"?/i.exec(text.split('\n\n')[0] ?? '')?.[1];
  if (/^Content-Type:\s*multipart\//im.test(text) && boundary) {
    for (const part of text.split(`--${boundary}`).slice(1)) {
      const split = part.indexOf('\n\n');
      if (split < 0) continue;
      const headers = part.slice(0, split);
      let body = part.slice(split + 2);
      if (/Content-Transfer-Encoding:\s*base64/i.test(headers)) body = Buffer.from(body.replace(/\s/g, ''), 'base64').toString('utf8');
      out.push(...ecsConfigLines(body));
    }
    return out;
  }
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n].trim();
    // A heredoc into the file: cat <<EOF >> /etc/ecs/ecs.config, cat > /etc/ecs/ecs.config <<'EOF', tee -a …
    const heredoc = /<<-?\s*['"]?(\w+)['"]?/.exec(line);
    if (heredoc && line.includes(CONFIG_FILE)) {
      for (n++; n < lines.length && lines[n].trim() !== heredoc[1]; n++) out.push(lines[n].trim());
      continue;
    }
    // cloud-config write_files: a path followed by its content block.
    if (/^-?\s*path:\s*['"]?\/etc\/ecs\/ecs\.config/.test(line)) {
      for (let m = n + 1; m < lines.length && m < n + 8; m++) {
        const c = /^\s*content:\s*\|?\s*(.*)$/.exec(lines[m]);
        if (!c) continue;
        if (c[1]) out.push(c[1].trim());
        const indent = /^\s*/.exec(lines[m + 1] ?? '')![0].length;
        for (let k = m + 1; k < lines.length && /^\s*/.exec(lines[k])![0].length >= indent && lines[k].trim(); k++) out.push(lines[k].trim());
        break;
      }
      continue;
    }
    if (!line.includes(CONFIG_FILE) || !/^(echo|printf)\b/.test(line)) continue;
    const { words, redirect } = shellWords(line);
    if (redirect !== CONFIG_FILE) continue;
    const [cmd, ...args] = words;
    const flags = new Set<string>();
    while (cmd === 'echo' && /^-[neE]+$/.test(args[0] ?? '')) for (const f of args.shift()!.slice(1)) flags.add(f);
    let written = args.join(' ');
    if (cmd === 'printf' || flags.has('e')) written = written.replace(/\\n/g, '\n');
    out.push(...written.split('\n').map((l) => l.trim()).filter(Boolean));
  }
  return out;
}

function jsonObject(name: string, value: string, problems: string[]): Record<string, string> {
  try {
    const parsed = JSON.parse(value);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, String(v)]));
  } catch { /* reported below */ }
  problems.push(`${name} is not a JSON object: ${value}`);
  return {};
}

/** The agent configuration user data (decoded) sets. */
export function parseAgentConfig(userData: string): AgentConfig {
  const vars = new Map<string, string>();
  for (const line of ecsConfigLines(userData)) {
    const eq = line.indexOf('=');
    if (eq <= 0 || line.startsWith('#')) continue;
    vars.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
  }
  const problems: string[] = [];
  const reserved = Number(vars.get('ECS_RESERVED_MEMORY') ?? 0);
  let ports = DEFAULT_RESERVED_PORTS;
  if (vars.has('ECS_RESERVED_PORTS')) {
    try {
      ports = (JSON.parse(vars.get('ECS_RESERVED_PORTS')!) as unknown[]).map(Number);
    } catch {
      problems.push(`ECS_RESERVED_PORTS is not a JSON list: ${vars.get('ECS_RESERVED_PORTS')}`);
    }
  }
  return {
    ...(vars.get('ECS_CLUSTER') ? { cluster: vars.get('ECS_CLUSTER') } : {}),
    attributes: vars.has('ECS_INSTANCE_ATTRIBUTES') ? jsonObject('ECS_INSTANCE_ATTRIBUTES', vars.get('ECS_INSTANCE_ATTRIBUTES')!, problems) : {},
    tags: vars.has('ECS_CONTAINER_INSTANCE_TAGS') ? jsonObject('ECS_CONTAINER_INSTANCE_TAGS', vars.get('ECS_CONTAINER_INSTANCE_TAGS')!, problems) : {},
    propagateTagsFromInstance: vars.get('ECS_CONTAINER_INSTANCE_PROPAGATE_TAGS_FROM') === 'ec2_instance',
    reservedMemory: Number.isFinite(reserved) && reserved > 0 ? Math.floor(reserved) : 0,
    reservedPorts: ports,
    problems,
  };
}
