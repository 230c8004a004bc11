/**
 * Composite alarm rules (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutCompositeAlarm.html):
 * ALARM(x), OK(x), INSUFFICIENT_DATA(x) of an alarm name or ARN (quoted or not), TRUE, FALSE,
 * AND, OR, NOT and parentheses.
 */
export type Rule =
  | { k: 'state'; state: 'ALARM' | 'OK' | 'INSUFFICIENT_DATA'; alarm: string }
  | { k: 'const'; v: boolean }
  | { k: 'not'; a: Rule }
  | { k: 'and' | 'or'; a: Rule; b: Rule };

export class RuleError extends Error {}

export function parseRule(src: string): Rule {
  const toks = [...src.matchAll(/\s*("(?:[^"\\]|\\.)*"|\(|\)|[^\s()"]+)/g)].map((m) => m[1]);
  let p = 0;
  const word = (w: string) => toks[p]?.toUpperCase() === w;
  const or = (): Rule => {
    let a = and();
    while (word('OR')) { p++; a = { k: 'or', a, b: and() }; }
    return a;
  };
  const and = (): Rule => {
    let a = not();
    while (word('AND')) { p++; a = { k: 'and', a, b: not() }; }
    return a;
  };
  const not = (): Rule => {
    if (word('NOT')) { p++; return { k: 'not', a: not() }; }
    return atom();
  };
  const atom = (): Rule => {
    const t = toks[p++];
    if (t === undefined) throw new RuleError('Unexpected end of the alarm rule.');
    if (t === '(') {
      const r = or();
      if (toks[p++] !== ')') throw new RuleError('Expected ) in the alarm rule.');
      return r;
    }
    const up = t.toUpperCase();
    if (up === 'TRUE' || up === 'FALSE') return { k: 'const', v: up === 'TRUE' };
    if ((up === 'ALARM' || up === 'OK' || up === 'INSUFFICIENT_DATA') && toks[p] === '(') {
      p++;
      let name = toks[p++];
      if (name === undefined || name === ')') throw new RuleError(`${up}() needs an alarm name.`);
      // An unquoted name may hold spaces only quoted; join tokens up to the closing parenthesis.
      while (toks[p] !== undefined && toks[p] !== ')') name += ` ${toks[p++]}`;
      if (toks[p++] !== ')') throw new RuleError(`Expected ) after ${up}(${name}.`);
      if (name.startsWith('"')) name = name.slice(1, -1).replace(/\\(.)/g, '$1');
      const alarm = name.includes(':alarm:') ? name.slice(name.indexOf(':alarm:') + 7) : name;
      return { k: 'state', state: up as 'ALARM', alarm };
    }
    throw new RuleError(`Unexpected ${t} in the alarm rule.`);
  };
  const rule = or();
  if (p < toks.length) throw new RuleError(`Unexpected ${toks[p]} in the alarm rule.`);
  return rule;
}

export function ruleAlarms(r: Rule): string[] {
  switch (r.k) {
    case 'state': return [r.alarm];
    case 'const': return [];
    case 'not': return ruleAlarms(r.a);
    default: return [...ruleAlarms(r.a), ...ruleAlarms(r.b)];
  }
}

export function evaluateRule(r: Rule, stateOf: (alarm: string) => string | undefined): boolean {
  switch (r.k) {
    case 'state': return stateOf(r.alarm) === r.state;
    case 'const': return r.v;
    case 'not': return !evaluateRule(r.a, stateOf);
    case 'and': return evaluateRule(r.a, stateOf) && evaluateRule(r.b, stateOf);
    case 'or': return evaluateRule(r.a, stateOf) || evaluateRule(r.b, stateOf);
  }
}
