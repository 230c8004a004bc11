/**
 * An offline vulnerability database: a directory of OSV JSON records
 * (https://ossf.github.io/osv-schema/), e.g. the per-ecosystem exports of
 * osv.dev unpacked, or hand-written records. Records are indexed by
 * (ecosystem, package name); a package version is affected when it falls in
 * an `affected[].ranges[]` interval (introduced / fixed / last_affected
 * events, ordered by the ecosystem's own version comparison) or is listed in
 * `affected[].versions`.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { cvss3BaseScore, ratingOf, severityFromWord, type Severity } from './severity.js';
import { comparatorFor } from './versions.js';

type OsvEvent = { introduced?: string; fixed?: string; last_affected?: string; limit?: string };

export interface OsvAffected {
  package?: { ecosystem?: string; name?: string };
  ranges?: { type?: string; events?: OsvEvent[] }[];
  versions?: string[];
  ecosystem_specific?: Record<string, unknown>;
  database_specific?: Record<string, unknown>;
}

export interface OsvRecord {
  id: string;
  aliases?: string[];
  upstream?: string[];
  summary?: string;
  details?: string;
  modified?: string;
  references?: { type?: string; url?: string }[];
  severity?: { type?: string; score?: string }[];
  affected?: OsvAffected[];
  database_specific?: Record<string, unknown>;
}

/** "Debian:12" → { base: "Debian", release: "12" }; "Ubuntu:22.04:LTS" → release "22.04:LTS". */
export function splitEcosystem(ecosystem: string): { base: string; release?: string } {
  const i = ecosystem.indexOf(':');
  return i < 0 ? { base: ecosystem } : { base: ecosystem.slice(0, i), release: ecosystem.slice(i + 1) };
}

const releaseMatches = (advisory: string | undefined, image: string | undefined) =>
  advisory === undefined || image === undefined || advisory === image || advisory.startsWith(`${image}:`);

export class VulnerabilityDb {
  private readonly byPackage = new Map<string, OsvRecord[]>();
  /** The newest `modified` of any record (ECR's vulnerabilitySourceUpdatedAt). */
  readonly updatedAt: number;

  constructor(readonly records: OsvRecord[], fallbackUpdatedAt = 0) {
    let newest = 0;
    for (const r of records) {
      const t = r.modified ? Date.parse(r.modified) : NaN;
      if (Number.isFinite(t)) newest = Math.max(newest, t);
      const keys = new Set<string>();
      for (const a of r.affected ?? []) {
        if (a.package?.ecosystem && a.package.name) keys.add(`${splitEcosystem(a.package.ecosystem).base}|${a.package.name}`);
      }
      for (const k of keys) {
        const list = this.byPackage.get(k) ?? [];
        list.push(r);
        this.byPackage.set(k, list);
      }
    }
    this.updatedAt = newest || fallbackUpdatedAt;
  }

  lookup(ecosystem: string, name: string): OsvRecord[] {
    return this.byPackage.get(`${ecosystem}|${name}`) ?? [];
  }
}

export interface VersionVerdict {
  affected: boolean;
  /** The first fixed version after the installed one, if the record names one. */
  fixed?: string;
}

/** Whether `version` is in the affected ranges of one `affected[]` entry (the OSV spec's evaluation). */
export function evaluateAffected(a: OsvAffected, ecosystem: string, version: string): VersionVerdict {
  let affected = !!a.versions?.includes(version);
  let fixed: string | undefined;
  for (const range of a.ranges ?? []) {
    const cmp = comparatorFor(ecosystem, range.type);
    if (!cmp || range.type === 'GIT') continue;
    const at = (e: OsvEvent) => e.introduced ?? e.fixed ?? e.last_affected ?? e.limit ?? '';
    const events = [...(range.events ?? [])].sort((x, y) => {
      if (x.introduced === '0') return -1;
      if (y.introduced === '0') return 1;
      return cmp(at(x), at(y));
    });
    let inRange = false;
    for (const e of events) {
      if (e.introduced !== undefined) {
        if (e.introduced === '0' || cmp(version, e.introduced) >= 0) inRange = true;
      } else if (e.fixed !== undefined) {
        if (cmp(version, e.fixed) >= 0) inRange = false;
      } else if (e.last_affected !== undefined) {
        if (cmp(version, e.last_affected) > 0) inRange = false;
      } else if (e.limit !== undefined) {
        if (cmp(version, e.limit) >= 0) inRange = false;
      }
    }
    if (inRange) {
      affected = true;
      const next = events.filter((e) => e.fixed !== undefined && cmp(e.fixed, version) > 0).map((e) => e.fixed!);
      if (next.length && fixed === undefined) fixed = next[0];
    }
  }
  return { affected, ...(fixed !== undefined ? { fixed } : {}) };
}

export interface PackageQuery {
  ecosystem: string;
  release?: string;
  /** Names to look the package up by (binary and source package). */
  names: string[];
  version: string;
}

export interface VulnerabilityMatch {
  record: OsvRecord;
  affected: OsvAffected;
  packageName: string;
  fixed?: string;
}

/** The records that affect a package version, one match per record. */
export function matchPackage(db: VulnerabilityDb, q: PackageQuery): VulnerabilityMatch[] {
  const out: VulnerabilityMatch[] = [];
  const seen = new Set<string>();
  for (const name of q.names) {
    for (const record of db.lookup(q.ecosystem, name)) {
      if (seen.has(record.id)) continue;
      for (const a of record.affected ?? []) {
        if (a.package?.name !== name || !a.package.ecosystem) continue;
        const eco = splitEcosystem(a.package.ecosystem);
        if (eco.base !== q.ecosystem || !releaseMatches(eco.release, q.release)) continue;
        const verdict = evaluateAffected(a, q.ecosystem, q.version);
        if (!verdict.affected) continue;
        seen.add(record.id);
        out.push({ record, affected: a, packageName: name, ...(verdict.fixed !== undefined ? { fixed: verdict.fixed } : {}) });
        break;
      }
    }
  }
  return out;
}

/** The CVE a record is about (ECR names findings by CVE), else its own id. */
export function findingName(r: OsvRecord): string {
  if (r.id.startsWith('CVE-')) return r.id;
  return [...(r.aliases ?? []), ...(r.upstream ?? [])].find((a) => a.startsWith('CVE-')) ?? r.id;
}

export function cvss3Vector(r: OsvRecord): string | undefined {
  return r.severity?.find((s) => s.type === 'CVSS_V3' && s.score)?.score;
}

/** The severity of a match: distribution rating, then advisory database rating, then CVSS v3. */
export function severityOf(m: VulnerabilityMatch): Severity {
  const eco = m.affected.ecosystem_specific ?? {};
  const fromDistro = severityFromWord(eco.severity) ?? severityFromWord(eco.urgency) ?? severityFromWord(m.affected.database_specific?.severity);
  if (fromDistro) return fromDistro;
  const fromDb = severityFromWord(m.record.database_specific?.severity);
  if (fromDb) return fromDb;
  const vector = cvss3Vector(m.record);
  const score = vector ? cvss3BaseScore(vector) : undefined;
  return score === undefined ? 'UNDEFINED' : ratingOf(score);
}

export function advisoryUri(r: OsvRecord): string {
  const ref = r.references?.find((x) => x.type === 'ADVISORY' && x.url) ?? r.references?.find((x) => x.url);
  return ref?.url ?? `https://osv.dev/vulnerability/${r.id}`;
}

// --- loading -------------------------------------------------------------

async function jsonFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await jsonFiles(path)));
    else if (entry.isFile() && entry.name.endsWith('.json')) out.push(path);
  }
  return out.sort();
}

const CACHE = new Map<string, { signature: string; db: VulnerabilityDb }>();

/**
 * Loads (or reuses) the database in `dir`. Reloaded when a file is added,
 * removed or changed. A file that is not an OSV record (or a list of them) is
 * skipped; a directory that cannot be read throws.
 */
export async function loadVulnerabilityDb(dir: string): Promise<VulnerabilityDb> {
  const files = await jsonFiles(dir);
  const stats = await Promise.all(files.map((f) => stat(f)));
  const signature = files.map((f, i) => `${f}:${stats[i].size}:${stats[i].mtimeMs}`).join('\n');
  const cached = CACHE.get(dir);
  if (cached && cached.signature === signature) return cached.db;
  const records: OsvRecord[] = [];
  for (const f of files) {
    try {
      const doc = JSON.parse(await readFile(f, 'utf8')) as OsvRecord | OsvRecord[];
      for (const r of Array.isArray(doc) ? doc : [doc]) {
        if (r && typeof r.id === 'string' && Array.isArray(r.affected)) records.push(r);
      }
    } catch {
      // Not JSON: not part of the database.
    }
  }
  const newestFile = stats.reduce((n, s) => Math.max(n, s.mtimeMs), 0);
  const db = new VulnerabilityDb(records, Math.floor(newestFile));
  CACHE.set(dir, { signature, db });
  return db;
}
