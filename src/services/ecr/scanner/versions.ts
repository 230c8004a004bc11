/**
 * Version ordering of the ecosystems the scanner understands, each the way its
 * own package manager orders versions: dpkg (Debian, Ubuntu), apk (Alpine)
 * and npm's semver. Each returns <0, 0 or >0 like a sort comparator.
 */

// --- dpkg ------------------------------------------------------------------
// deb-version(7): [epoch:]upstream_version[-debian_revision]; compared part by
// part with dpkg's verrevcmp, where '~' sorts before everything, even the end.

const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
const isAlpha = (c: string) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');

function dpkgOrder(c: string | undefined): number {
  if (c === undefined || isDigit(c)) return 0;
  if (isAlpha(c)) return c.charCodeAt(0);
  if (c === '~') return -1;
  return c.charCodeAt(0) + 256;
}

function verrevcmp(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while ((i < a.length && !isDigit(a[i])) || (j < b.length && !isDigit(b[j]))) {
      const ac = dpkgOrder(a[i]);
      const bc = dpkgOrder(b[j]);
      if (ac !== bc) return ac - bc;
      i++;
      j++;
    }
    while (a[i] === '0') i++;
    while (b[j] === '0') j++;
    let firstDiff = 0;
    while (isDigit(a[i]) && isDigit(b[j])) {
      if (!firstDiff) firstDiff = a.charCodeAt(i) - b.charCodeAt(j);
      i++;
      j++;
    }
    if (isDigit(a[i])) return 1;
    if (isDigit(b[j])) return -1;
    if (firstDiff) return firstDiff;
  }
  return 0;
}

function parseDpkg(v: string): { epoch: number; upstream: string; revision: string } {
  let rest = v.trim();
  let epoch = 0;
  const colon = rest.indexOf(':');
  if (colon > 0 && /^\d+$/.test(rest.slice(0, colon))) {
    epoch = Number(rest.slice(0, colon));
    rest = rest.slice(colon + 1);
  }
  const dash = rest.lastIndexOf('-');
  return dash >= 0 ? { epoch, upstream: rest.slice(0, dash), revision: rest.slice(dash + 1) } : { epoch, upstream: rest, revision: '' };
}

export function compareDpkg(a: string, b: string): number {
  const x = parseDpkg(a);
  const y = parseDpkg(b);
  if (x.epoch !== y.epoch) return x.epoch - y.epoch;
  return verrevcmp(x.upstream, y.upstream) || verrevcmp(x.revision, y.revision);
}

// --- apk -------------------------------------------------------------------
// A port of apk-tools' version comparison (src/version.c): digits, an optional
// letter, suffixes (_alpha _beta _pre _rc before the release; _cvs _svn _git
// _hg _p after it), and -r<revision>.

const enum Tok { Invalid = -1, DigitOrZero, Digit, Letter, Suffix, SuffixNo, RevisionNo, End }
const PRE_SUFFIXES = ['alpha', 'beta', 'pre', 'rc'];
const POST_SUFFIXES = ['cvs', 'svn', 'git', 'hg', 'p'];

class ApkCursor {
  type: Tok = Tok.Digit;
  constructor(private s: string, private pos = 0) {}

  clone(): ApkCursor {
    const c = new ApkCursor(this.s, this.pos);
    c.type = this.type;
    return c;
  }

  private get left() {
    return this.s.length - this.pos;
  }

  private nextType() {
    let n: Tok = Tok.Invalid;
    const c = this.s[this.pos];
    if (this.left <= 0) {
      n = Tok.End;
    } else if ((this.type === Tok.Digit || this.type === Tok.DigitOrZero) && c >= 'a' && c <= 'z') {
      n = Tok.Letter;
    } else if (this.type === Tok.Letter && isDigit(c)) {
      n = Tok.Digit;
    } else if (this.type === Tok.Suffix && isDigit(c)) {
      n = Tok.SuffixNo;
    } else {
      if (c === '.') n = Tok.DigitOrZero;
      else if (c === '_') n = Tok.Suffix;
      else if (c === '-' && this.s[this.pos + 1] === 'r') {
        n = Tok.RevisionNo;
        this.pos++;
      }
      this.pos++;
    }
    if (n < this.type) {
      const allowed = (n === Tok.DigitOrZero && this.type === Tok.Digit) || (n === Tok.Suffix && this.type === Tok.SuffixNo) ||
        (n === Tok.Digit && this.type === Tok.Letter);
      if (!allowed) n = Tok.Invalid;
    }
    this.type = n;
  }

  /** The value of the token at the cursor; advances to the next token's type. */
  token(): number {
    if (this.left <= 0) {
      this.type = Tok.End;
      return 0;
    }
    let v = 0;
    let i = 0;
    let nt: Tok = Tok.Invalid;
    const s = this.s.slice(this.pos);
    if (this.type === Tok.DigitOrZero && s[0] === '0') {
      // Leading zeros count, negatively; the digits after them are a token of their own.
      while (i < s.length && s[i] === '0') i++;
      nt = Tok.Digit;
      v = -i;
    } else if (this.type === Tok.DigitOrZero || this.type === Tok.Digit || this.type === Tok.SuffixNo || this.type === Tok.RevisionNo) {
      while (i < s.length && isDigit(s[i])) v = v * 10 + (s.charCodeAt(i++) - 48);
    } else if (this.type === Tok.Letter) {
      v = s.charCodeAt(i++);
    } else if (this.type === Tok.Suffix) {
      const pre = PRE_SUFFIXES.findIndex((p) => s.startsWith(p));
      const post = POST_SUFFIXES.findIndex((p) => s.startsWith(p));
      if (pre >= 0) {
        i = PRE_SUFFIXES[pre].length;
        v = pre - PRE_SUFFIXES.length;
      } else if (post >= 0) {
        i = POST_SUFFIXES[post].length;
        v = post;
      } else {
        this.type = Tok.Invalid;
        return -1;
      }
    } else {
      this.type = Tok.Invalid;
      return -1;
    }
    this.pos += i;
    if (this.left <= 0) this.type = Tok.End;
    else if (nt !== Tok.Invalid) this.type = nt;
    else this.nextType();
    return v;
  }
}

export function compareApk(a: string, b: string): number {
  const x = new ApkCursor(a.trim());
  const y = new ApkCursor(b.trim());
  let av = 0;
  let bv = 0;
  while (x.type === y.type && x.type !== Tok.End && x.type !== Tok.Invalid && av === bv) {
    av = x.token();
    bv = y.token();
  }
  if (av !== bv) return av < bv ? -1 : 1;
  if (x.type === y.type) return 0;
  // Equal so far: the longer version is newer, unless what it has more of is a pre-release suffix.
  if (x.type === Tok.Suffix && x.clone().token() < 0) return -1;
  if (y.type === Tok.Suffix && y.clone().token() < 0) return 1;
  if (x.type > y.type) return -1;
  if (y.type > x.type) return 1;
  return 0;
}

// --- semver (npm) ----------------------------------------------------------

const SEMVER = /^[v=\s]*(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/;

function comparePrerelease(a: string | undefined, b: string | undefined): number {
  if (a === b) return 0;
  if (a === undefined) return 1;
  if (b === undefined) return -1;
  const x = a.split('.');
  const y = b.split('.');
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if (x[i] === undefined) return -1;
    if (y[i] === undefined) return 1;
    const xn = /^\d+$/.test(x[i]);
    const yn = /^\d+$/.test(y[i]);
    if (xn && yn) {
      const d = Number(x[i]) - Number(y[i]);
      if (d) return d;
    } else if (xn !== yn) {
      return xn ? -1 : 1;
    } else if (x[i] !== y[i]) {
      return x[i] < y[i] ? -1 : 1;
    }
  }
  return 0;
}

/** SemVer 2.0 precedence (build metadata ignored); a non-semver string sorts by natural order. */
export function compareSemver(a: string, b: string): number {
  const x = SEMVER.exec(a.trim());
  const y = SEMVER.exec(b.trim());
  if (!x || !y) return a.localeCompare(b, 'en', { numeric: true });
  for (let i = 1; i <= 3; i++) {
    const d = Number(x[i]) - Number(y[i]);
    if (d) return d;
  }
  return comparePrerelease(x[4], y[4]);
}

export type Ecosystem = 'Debian' | 'Ubuntu' | 'Alpine' | 'npm';

/** The comparator for an ecosystem's versions (OSV ECOSYSTEM ranges); SEMVER ranges always use semver. */
export function comparatorFor(ecosystem: string, rangeType?: string): ((a: string, b: string) => number) | undefined {
  if (rangeType === 'SEMVER') return compareSemver;
  switch (ecosystem) {
    case 'Debian':
    case 'Ubuntu':
      return compareDpkg;
    case 'Alpine':
      return compareApk;
    case 'npm':
      return compareSemver;
    default:
      return undefined;
  }
}
