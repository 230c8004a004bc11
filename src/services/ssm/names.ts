/**
 * Parameter names, ARNs and selectors (`name:3`, `name:label`), and the
 * lookups that turn what a caller sends into a stored version.
 * https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-paramstore-su-create.html
 */
import { arn, parseArn } from '../../shared/arns.js';
import { constraint, hierarchyTooDeep, parameterNotFound, reservedName, validation, versionNotFound } from './errors.js';
import { findPublicParameter, isPublicName } from './public-parameters.js';
import { findParameter, getVersion, versionWithLabel, type Scope, type StoredVersion } from './store.js';

const NAME_CHARS = /^[a-zA-Z0-9_.\-/]+$/;
const MAX_NAME = 2048;
const MAX_DEPTH = 15;

/** `arn:aws:ssm:<region>:<account>:parameter/<name without its leading slash>` */
export const parameterArn = (s: Pick<Scope, 'account' | 'region'>, name: string) =>
  arn('ssm', s.region, s.account, `parameter/${name.startsWith('/') ? name.slice(1) : name}`);

const PATH_RULE =
  'If formed as a path, it can consist of sub-paths divided by slash symbol; each sub-path can be formed as a mix of letters, numbers and the following 3 symbols .-_';

/** The rules PutParameter applies to a new name. */
export function checkNewName(name: string): void {
  if (name.length > MAX_NAME) throw constraint(name, 'name', `Member must have length less than or equal to ${MAX_NAME}`);
  const isPath = name.startsWith('/');
  const first = (isPath ? name.slice(1).split('/')[0] : name).toLowerCase();
  // AWS answers AccessDeniedException for hierarchical names in its namespace (`/aws/…`, `aws…/…`).
  if (first.startsWith('aws') && (isPath || name.includes('/'))) throw reservedName(name);
  if (isPath && first.startsWith('ssm')) throw validation(`Parameter name: can't be prefixed with "ssm" (case-insensitive). ${PATH_RULE}`);
  if (!isPath && (first.startsWith('aws') || first.startsWith('ssm'))) {
    throw validation('Parameter name: can\'t be prefixed with "aws" or "ssm" (case-insensitive).');
  }
  if (!NAME_CHARS.test(name) || name.includes('//') || (isPath && name.endsWith('/'))) {
    throw validation(`Parameter name: can't be prefixed with "aws" or "ssm" (case-insensitive). ${PATH_RULE}`);
  }
  if (!isPath && name.includes('/')) throw validation('Parameter name must be a fully qualified name.');
  if (isPath && name.split('/').length - 1 > MAX_DEPTH) throw hierarchyTooDeep();
}

export interface NameRef {
  /** As the caller sent it (for error messages and InvalidParameters). */
  given: string;
  name: string;
  /** After the colon: a version number or a label. */
  selector?: string;
}

/**
 * Splits `name[:selector]` or a parameter ARN. Undefined when it cannot name a
 * parameter of this scope (another region or account, or a second colon).
 */
export function parseRef(s: Scope, given: string): NameRef | undefined {
  let body = given;
  if (given.startsWith('arn:')) {
    const a = parseArn(given);
    if (!a || a.service !== 'ssm' || !a.resource.startsWith('parameter/')) return undefined;
    // Public parameters' ARNs name no account (`arn:aws:ssm:<region>::parameter/aws/…`).
    const isPublic = a.account === '' && isPublicName(`/${a.resource.slice('parameter/'.length)}`);
    if ((a.account !== s.account && !isPublic) || a.region !== s.region) return undefined;
    body = a.resource.slice('parameter/'.length);
    const colon = body.indexOf(':');
    const bare = colon >= 0 ? body.slice(0, colon) : body;
    // The ARN drops the leading slash of path names: try the name as written, then as a path.
    const name = bare.includes('/') || !findParameter(s, bare) ? `/${bare}` : bare;
    body = colon >= 0 ? name + body.slice(colon) : name;
  }
  const parts = body.split(':');
  if (parts.length > 2 || !parts[0]) return undefined;
  return { given, name: parts[0], selector: parts[1] };
}

/** The version a reference names, or the AWS error for it. */
export function resolveRef(s: Scope, given: string): StoredVersion {
  const ref = parseRef(s, given);
  if (ref && isPublicName(ref.name)) return resolvePublic(s, ref);
  const param = ref ? findParameter(s, ref.name) : undefined;
  if (!ref || !param) throw parameterNotFound(given);
  if (ref.selector === undefined) return getVersion(s, ref.name, param.version)!;
  const found = /^\d+$/.test(ref.selector)
    ? getVersion(s, ref.name, Number(ref.selector))
    : versionWithLabel(s, ref.name, ref.selector);
  if (!found) throw versionNotFound(ref.selector, ref.name);
  return found;
}

/** A public parameter (`/aws/service/…`): one version, no labels. */
function resolvePublic(s: Scope, ref: NameRef): StoredVersion {
  const found = findPublicParameter(s.region, ref.name);
  if (!found) throw parameterNotFound(ref.given);
  if (ref.selector !== undefined && ref.selector !== String(found.version)) throw versionNotFound(ref.selector, ref.name);
  return found;
}

/** Like resolveRef, but undefined instead of an error (GetParameters' InvalidParameters). */
export function tryResolveRef(s: Scope, given: string): StoredVersion | undefined {
  try {
    return resolveRef(s, given);
  } catch {
    return undefined;
  }
}

/** Paths compare as if every name were fully qualified (`foo` sits at `/foo`). */
export const qualified = (name: string) => (name.startsWith('/') ? name : `/${name}`);

export function isUnderPath(name: string, path: string, recursive: boolean): boolean {
  const base = path.endsWith('/') ? path : `${path}/`;
  const q = qualified(name);
  if (!q.startsWith(base)) return false;
  return recursive || !q.slice(base.length).includes('/');
}

export function encodeToken(position: string): string {
  return Buffer.from(JSON.stringify({ after: position }), 'utf8').toString('base64');
}

export function decodeToken(token: string | undefined, invalid: () => Error): string | undefined {
  if (token === undefined) return undefined;
  try {
    const { after } = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
    if (typeof after === 'string') return after;
  } catch { /* fall through */ }
  throw invalid();
}

/** A page's size: the caller's, or the operation's default (its range is the model's, checked before any provider runs). */
export function pageSize(value: number | undefined, fallback: number): number {
  return value ?? fallback;
}
