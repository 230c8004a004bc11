/**
 * The matching IAM's policy language does (issue 23): `*`/`?` wildcards, ARNs
 * compared component by component, and policy variables (`${aws:username}`).
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
 */

const globCache = new Map<string, RegExp>();

/** `*` any run of characters, `?` any one; `ignoreCase` for actions (IAM compares them regardless of case). */
export function globMatch(pattern: string, value: string, ignoreCase = false): boolean {
  if (pattern === '*') return true;
  if (!pattern.includes('*') && !pattern.includes('?')) return ignoreCase ? pattern.toLowerCase() === value.toLowerCase() : pattern === value;
  const key = (ignoreCase ? 'i' : 's') + pattern;
  let re = globCache.get(key);
  if (!re) {
    const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
    re = new RegExp(`^${body}$`, ignoreCase ? 'is' : 's');
    if (globCache.size > 10_000) globCache.clear();
    globCache.set(key, re);
  }
  return re.test(value);
}

/** arn:partition:service:region:account:resource, the resource keeping its colons. */
function arnParts(arn: string): string[] | undefined {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  return [...parts.slice(0, 5), parts.slice(5).join(':')];
}

/**
 * An ARN pattern against an ARN, as Resource and ArnLike compare them: each of the six components separately, so a
 * wildcard in the region never spans into the account. Non-ARN values (`*`) fall back to a plain glob.
 */
export function arnMatch(pattern: string, value: string): boolean {
  if (pattern === '*') return true;
  const p = arnParts(pattern);
  const v = arnParts(value);
  if (!p || !v) return globMatch(pattern, value);
  for (let i = 0; i < 6; i++) if (!globMatch(p[i], v[i])) return false;
  return true;
}

/** The values a policy variable resolves to; undefined when the request has no such key. */
export type VariableLookup = (key: string) => string | undefined;

/**
 * Replaces `${key}` (and `${key, 'default'}`) with the request's values; `${*}`, `${?}`, `${$}` are the literal
 * characters. A variable without a value and without a default leaves the string unmatchable (IAM: the statement
 * does not match), which undefined says.
 */
export function substitute(text: string, lookup: VariableLookup): string | undefined {
  if (!text.includes('${')) return text;
  let missing = false;
  const out = text.replace(/\$\{([^}]*)\}/g, (_, inner: string) => {
    if (inner === '*' || inner === '?' || inner === '$') return `\u0000${inner}`;
    const m = /^\s*([^,\s]+)\s*(?:,\s*'([^']*)'\s*)?$/.exec(inner);
    const value = m ? lookup(m[1]) ?? m[2] : undefined;
    if (value === undefined) missing = true;
    return value ?? '';
  });
  return missing ? undefined : out;
}

/** After substitution: the escaped literal characters, for comparison as plain text (no longer wildcards). */
export function hasEscapes(s: string): boolean {
  return s.includes('\u0000');
}

/** A substituted pattern whose `${*}`/`${?}` stay literal: compare after turning them back into characters. */
export function matchSubstituted(pattern: string, value: string, matcher: (p: string, v: string) => boolean): boolean {
  if (!hasEscapes(pattern)) return matcher(pattern, value);
  // Literal * and ? : split on them and compare the pieces exactly around the escaped characters.
  const re = new RegExp(`^${pattern.split(/(\u0000[*?$])/).map((piece) => piece.startsWith('\u0000')
    ? piece.slice(1).replace(/[*?$]/, (c) => `\\${c}`)
    : piece.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')).join('')}$`, 's');
  return re.test(value);
}
