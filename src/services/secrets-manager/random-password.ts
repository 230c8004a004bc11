/**
 * GetRandomPassword: cryptographically random characters from the classes the
 * request keeps, with at least one of each by default (RequireEachIncludedType).
 * https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetRandomPassword.html
 */
import { randomInt } from 'node:crypto';
import type { GetRandomPasswordRequest, GetRandomPasswordResponse } from '@aws-sdk/client-secrets-manager';
import type { RequestContext } from '../provider.js';
import { invalidParameter } from './errors.js';

const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const DIGITS = '0123456789';
const PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';

export function getRandomPassword(_ctx: RequestContext, input: GetRandomPasswordRequest): GetRandomPasswordResponse {
  const length = input.PasswordLength ?? 32;
  const excluded = new Set(input.ExcludeCharacters ?? '');
  const keep = (chars: string) => [...chars].filter((c) => !excluded.has(c)).join('');
  const classes = [
    input.ExcludeLowercase ? '' : keep(LOWER),
    input.ExcludeUppercase ? '' : keep(UPPER),
    input.ExcludeNumbers ? '' : keep(DIGITS),
    input.ExcludePunctuation ? '' : keep(PUNCTUATION),
    input.IncludeSpace ? keep(' ') : '',
  ].filter(Boolean);
  if (!classes.length) throw invalidParameter('The password length is too short based on the required types.');
  const requireEach = input.RequireEachIncludedType ?? true;
  if (requireEach && length < classes.length) throw invalidParameter('Password length is too short based on the required types.');
  const pool = classes.join('');
  const chars: string[] = requireEach ? classes.map((c) => c[randomInt(c.length)]) : [];
  while (chars.length < length) chars.push(pool[randomInt(pool.length)]);
  // Shuffle so the guaranteed characters are not always first.
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j], chars[i]];
  }
  return { RandomPassword: chars.join('') };
}
