/**
 * Which request-context keys a set of statements can read (issue 23): the keys
 * their Condition blocks name and the policy variables (`${aws:username}`) in
 * any of their elements. A decision depends on the request only through these,
 * so the authorizer memoizes it per their values; a statement reading the
 * clock (aws:CurrentTime, aws:EpochTime) makes the decision uncacheable.
 */
import type { Statement } from './evaluate.js';

export interface ContextKeys {
  /** Lower-cased key names, sorted (RequestContext keys are lower-cased). */
  keys: string[];
  /** A key whose value changes with every request: the decision is not memoized. */
  volatile: boolean;
  /** A key or variable reads the resource's tags (aws:ResourceTag/…, <service>:ResourceTag/…). */
  readsResourceTags: boolean;
}

const VOLATILE = new Set(['aws:currenttime', 'aws:epochtime']);
const VARIABLE = /\$\{\s*([^,}\s]+)/g;

export function contextKeysOf(statements: Iterable<Statement>): ContextKeys {
  const keys = new Set<string>();
  for (const st of statements) {
    for (const block of Object.values(st.Condition ?? {})) {
      for (const key of Object.keys(block ?? {})) keys.add(key.toLowerCase());
    }
    const text = JSON.stringify(st);
    if (!text.includes('${')) continue;
    for (const m of text.matchAll(VARIABLE)) {
      // ${*}, ${?}, ${$} are escapes, not keys.
      if (!/^[*?$]$/.test(m[1])) keys.add(m[1].toLowerCase());
    }
  }
  const sorted = [...keys].sort();
  return {
    keys: sorted,
    volatile: sorted.some((k) => VOLATILE.has(k)),
    readsResourceTags: sorted.some((k) => k.includes(':resourcetag/')),
  };
}

/** Joins two key sets (a caller's view and a resource policy). */
export function mergeKeys(a: ContextKeys, b: ContextKeys | undefined): ContextKeys {
  if (!b || !b.keys.length) return a;
  if (!a.keys.length) return b;
  const keys = [...new Set([...a.keys, ...b.keys])].sort();
  return { keys, volatile: a.volatile || b.volatile, readsResourceTags: a.readsResourceTags || b.readsResourceTags };
}
