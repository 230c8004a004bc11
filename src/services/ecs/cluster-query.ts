/**
 * ECS's cluster query language
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cluster-query-language.html):
 *
 *   subject operator [argument]
 *   subjects:  attribute:<name>, ec2InstanceType, agentConnected, agentVersion, registeredAt,
 *              runningTasksCount, task:group, ec2InstanceId
 *   operators: ==, equals, !=, not_equals, >, >=, <, <=, exists, !exists, not_exists, in, not_in, =~, matches, !~, not_matches
 *   combined with and / && , or / ||, not / !, and parentheses.
 *
 * Parsed once into a predicate over a candidate (an instance's attributes and
 * facts, and the task groups running on it).
 */
import { invalidParameter } from './errors.js';

export interface QueryCandidate {
  attributes: Record<string, string | undefined>;
  ec2InstanceType?: string;
  ec2InstanceId?: string;
  agentConnected?: boolean;
  agentVersion?: string;
  registeredAt?: number;
  runningTasksCount?: number;
  /** Task groups of the tasks running on the instance. */
  taskGroups?: string[];
}

export type Predicate = (c: QueryCandidate) => boolean;

type Token = { kind: 'word' | 'string' | 'op' | 'lparen' | 'rparen' | 'lbracket' | 'rbracket' | 'comma'; text: string };

const OPS = ['==', '!=', '>=', '<=', '=~', '!~', '>', '<', '&&', '||', '!'];

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (/\s/.test(ch)) { i++; continue; }
    if (ch === '(') { out.push({ kind: 'lparen', text: ch }); i++; continue; }
    if (ch === ')') { out.push({ kind: 'rparen', text: ch }); i++; continue; }
    if (ch === '[') { out.push({ kind: 'lbracket', text: ch }); i++; continue; }
    if (ch === ']') { out.push({ kind: 'rbracket', text: ch }); i++; continue; }
    if (ch === ',') { out.push({ kind: 'comma', text: ch }); i++; continue; }
    if (ch === '"' || ch === "'") {
      const end = text.indexOf(ch, i + 1);
      if (end < 0) throw invalidParameter(`Invalid expression: unterminated string in "${text}"`);
      out.push({ kind: 'string', text: text.slice(i + 1, end) });
      i = end + 1;
      continue;
    }
    const op = OPS.find((o) => text.startsWith(o, i));
    if (op && !(op === '!' && /[a-z_]/i.test(text[i + 1] ?? '') && text.startsWith('!exists', i))) {
      out.push({ kind: 'op', text: op });
      i += op.length;
      continue;
    }
    let j = i;
    while (j < text.length && !/[\s()[\],]/.test(text[j]) && !OPS.some((o) => o.length > 1 && text.startsWith(o, j))) j++;
    if (j === i) throw invalidParameter(`Invalid expression: unexpected "${ch}" in "${text}"`);
    out.push({ kind: 'word', text: text.slice(i, j) });
    i = j;
  }
  return out;
}

const WORD_OPS: Record<string, string> = {
  equals: '==', not_equals: '!=', exists: 'exists', '!exists': '!exists', not_exists: '!exists', in: 'in', not_in: 'not_in',
  matches: '=~', not_matches: '!~',
};

function wildcard(pattern: string): RegExp {
  return new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}

function subjectValues(subject: string, c: QueryCandidate): (string | number | boolean | undefined)[] {
  if (subject.startsWith('attribute:')) return [c.attributes[subject.slice('attribute:'.length)]];
  switch (subject) {
    case 'ec2InstanceType': return [c.ec2InstanceType];
    case 'ec2InstanceId': return [c.ec2InstanceId];
    case 'agentConnected': return [c.agentConnected];
    case 'agentVersion': return [c.agentVersion];
    case 'registeredAt': return [c.registeredAt];
    case 'runningTasksCount': return [c.runningTasksCount];
    case 'task:group': return c.taskGroups?.length ? c.taskGroups : [undefined];
    default: throw invalidParameter(`Invalid subject in expression: ${subject}`);
  }
}

function compare(op: string, have: string | number | boolean | undefined, want: string | string[] | undefined): boolean {
  if (op === 'exists') return have !== undefined && have !== '';
  if (op === '!exists') return have === undefined || have === '';
  if (have === undefined) return op === '!=' || op === 'not_in' || op === '!~';
  const h = String(have);
  switch (op) {
    case '==': return wildcard(String(want)).test(h);
    case '!=': return !wildcard(String(want)).test(h);
    case 'in': return (want as string[]).some((w) => wildcard(w).test(h));
    case 'not_in': return !(want as string[]).some((w) => wildcard(w).test(h));
    case '=~': return new RegExp(String(want)).test(h);
    case '!~': return !new RegExp(String(want)).test(h);
    default: {
      const a = Number(have);
      const b = Number(want);
      if (Number.isNaN(a) || Number.isNaN(b)) return false;
      return op === '>' ? a > b : op === '>=' ? a >= b : op === '<' ? a < b : a <= b;
    }
  }
}

export function parseQuery(text: string): Predicate {
  const tokens = tokenize(text);
  let pos = 0;
  const peek = () => tokens[pos];
  const take = () => tokens[pos++];
  const fail = (msg: string) => invalidParameter(`Invalid expression "${text}": ${msg}`);

  const isWord = (t: Token | undefined, ...words: string[]) => !!t && t.kind === 'word' && words.includes(t.text.toLowerCase());

  function parseOr(): Predicate {
    let left = parseAnd();
    while (isWord(peek(), 'or') || (peek()?.kind === 'op' && peek().text === '||')) {
      take();
      const l = left;
      const r = parseAnd();
      left = (c) => l(c) || r(c);
    }
    return left;
  }
  function parseAnd(): Predicate {
    let left = parseUnary();
    while (isWord(peek(), 'and') || (peek()?.kind === 'op' && peek().text === '&&')) {
      take();
      const l = left;
      const r = parseUnary();
      left = (c) => l(c) && r(c);
    }
    return left;
  }
  function parseUnary(): Predicate {
    const t = peek();
    if (isWord(t, 'not') || (t?.kind === 'op' && t.text === '!')) {
      take();
      const inner = parseUnary();
      return (c) => !inner(c);
    }
    if (t?.kind === 'lparen') {
      take();
      const inner = parseOr();
      if (take()?.kind !== 'rparen') throw fail('missing )');
      return inner;
    }
    return parseComparison();
  }
  function parseComparison(): Predicate {
    const subject = take();
    if (!subject || subject.kind !== 'word') throw fail('expected a subject');
    const opTok = take();
    if (!opTok) throw fail('expected an operator');
    const op = opTok.kind === 'op' ? opTok.text : WORD_OPS[opTok.text.toLowerCase()];
    if (!op) throw fail(`unknown operator ${opTok.text}`);
    let arg: string | string[] | undefined;
    if (op === 'in' || op === 'not_in') {
      if (take()?.kind !== 'lbracket') throw fail('expected [');
      const list: string[] = [];
      while (peek() && peek().kind !== 'rbracket') {
        const v = take();
        if (v.kind === 'comma') continue;
        list.push(v.text);
      }
      if (take()?.kind !== 'rbracket') throw fail('expected ]');
      arg = list;
    } else if (op !== 'exists' && op !== '!exists') {
      const v = take();
      if (!v || (v.kind !== 'word' && v.kind !== 'string')) throw fail('expected a value');
      arg = v.text;
    }
    const name = subject.text;
    subjectValues(name, { attributes: {} });
    return (c) => {
      const values = subjectValues(name, c);
      // task:group matches if any of the instance's tasks' groups does (negations: if none does).
      return op === '!=' || op === 'not_in' || op === '!~' || op === '!exists'
        ? values.every((v) => compare(op, v, arg))
        : values.some((v) => compare(op, v, arg));
    };
  }

  const predicate = parseOr();
  if (pos !== tokens.length) throw fail(`unexpected "${tokens[pos].text}"`);
  return predicate;
}
