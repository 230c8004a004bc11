/**
 * Package inventories from the files package managers leave in an image:
 * dpkg's status database (/var/lib/dpkg/status, and the one-file-per-package
 * /var/lib/dpkg/status.d/ of distroless images), apk's installed database
 * (/lib/apk/db/installed), npm lockfiles (package-lock.json v1, v2, v3) and
 * os-release. Pure text → records; the layer reader finds the files.
 */
import type { Ecosystem } from './versions.js';

export interface InstalledPackage {
  ecosystem: Ecosystem;
  /** The installed package's own name (the binary package for dpkg). */
  name: string;
  version: string;
  /** The source package and its version, where the package manager records one (dpkg Source, apk origin). */
  source?: string;
  sourceVersion?: string;
  /** Where in the image it was found. */
  path: string;
}

export interface OsRelease {
  id: string;
  versionId?: string;
}

/** Splits an RFC 822-like database into stanzas of fields (continuation lines folded in). */
function stanzas(text: string, separator: RegExp): Record<string, string>[] {
  const out: Record<string, string>[] = [];
  for (const block of text.split(/\r?\n\s*\r?\n/)) {
    const fields: Record<string, string> = {};
    let last: string | undefined;
    for (const line of block.split(/\r?\n/)) {
      if (!line) continue;
      if ((line[0] === ' ' || line[0] === '\t') && last) {
        fields[last] += `\n${line.trim()}`;
        continue;
      }
      const m = separator.exec(line);
      if (!m) continue;
      last = m[1];
      fields[last] = m[2].trim();
    }
    if (Object.keys(fields).length) out.push(fields);
  }
  return out;
}

/** dpkg's status file: installed packages only ("install ok installed"); status.d files carry no Status. */
export function parseDpkgStatus(text: string, path: string, ecosystem: Ecosystem = 'Debian'): InstalledPackage[] {
  const out: InstalledPackage[] = [];
  for (const f of stanzas(text, /^([A-Za-z0-9-]+):(.*)$/)) {
    if (!f.Package || !f.Version) continue;
    if (f.Status !== undefined && f.Status.split(/\s+/).pop() !== 'installed') continue;
    // "Source: openssl" or "Source: openssl (3.0.11-1~deb12u2)" when the versions differ.
    const src = f.Source ? /^(\S+)(?:\s+\(([^)]+)\))?$/.exec(f.Source) : null;
    out.push({
      ecosystem, name: f.Package, version: f.Version, path,
      ...(src ? { source: src[1], sourceVersion: src[2] ?? f.Version } : {}),
    });
  }
  return out;
}

/** apk's installed database: P (name), V (version), o (origin, the source package). */
export function parseApkInstalled(text: string, path: string): InstalledPackage[] {
  const out: InstalledPackage[] = [];
  for (const f of stanzas(text, /^([A-Za-z]):(.*)$/)) {
    if (!f.P || !f.V) continue;
    out.push({ ecosystem: 'Alpine', name: f.P, version: f.V, path, ...(f.o ? { source: f.o, sourceVersion: f.V } : {}) });
  }
  return out;
}

interface LockEntry {
  version?: string;
  name?: string;
  link?: boolean;
  dependencies?: Record<string, LockEntry>;
}

const isRegistryVersion = (v: unknown): v is string => typeof v === 'string' && /^\d+\.\d+\.\d+/.test(v);

/**
 * package-lock.json: v2/v3 list every installed package under `packages`
 * (keyed by its node_modules path); v1 nests `dependencies`. Links, git and
 * file dependencies have no registry version and are skipped.
 */
export function parsePackageLock(text: string, path: string): InstalledPackage[] {
  let doc: { lockfileVersion?: number; packages?: Record<string, LockEntry>; dependencies?: Record<string, LockEntry> };
  try {
    doc = JSON.parse(text);
  } catch {
    return [];
  }
  const seen = new Set<string>();
  const out: InstalledPackage[] = [];
  const add = (name: string, version: unknown) => {
    if (!name || !isRegistryVersion(version) || seen.has(`${name}@${version}`)) return;
    seen.add(`${name}@${version}`);
    out.push({ ecosystem: 'npm', name, version, path });
  };
  if (doc?.packages && typeof doc.packages === 'object') {
    for (const [where, entry] of Object.entries(doc.packages)) {
      if (!where || !entry || entry.link) continue;
      const at = where.lastIndexOf('node_modules/');
      if (at < 0) continue;
      add(entry.name ?? where.slice(at + 'node_modules/'.length), entry.version);
    }
    return out;
  }
  const walk = (deps: Record<string, LockEntry> | undefined) => {
    for (const [name, entry] of Object.entries(deps ?? {})) {
      if (!entry || typeof entry !== 'object') continue;
      add(name, entry.version);
      walk(entry.dependencies);
    }
  };
  walk(doc?.dependencies);
  return out;
}

/** os-release(5): KEY=value lines, values optionally quoted. */
export function parseOsRelease(text: string): OsRelease | undefined {
  const fields: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) fields[m[1]] = m[2].replace(/^(["'])(.*)\1$/, '$2');
  }
  return fields.ID ? { id: fields.ID.toLowerCase(), ...(fields.VERSION_ID ? { versionId: fields.VERSION_ID } : {}) } : undefined;
}

/**
 * The OSV ecosystem and release of the image's OS packages: Debian:12,
 * Ubuntu:22.04, Alpine:v3.19. Without os-release the release is unknown and
 * advisories of every release apply.
 */
export function osEcosystem(os: OsRelease | undefined, fallback: Ecosystem): { ecosystem: Ecosystem; release?: string } {
  switch (os?.id) {
    case 'debian': return { ecosystem: 'Debian', ...(os.versionId ? { release: os.versionId.split('.')[0] } : {}) };
    case 'ubuntu': return { ecosystem: 'Ubuntu', ...(os.versionId ? { release: os.versionId } : {}) };
    case 'alpine': {
      const m = os.versionId ? /^(\d+)\.(\d+)/.exec(os.versionId) : null;
      return { ecosystem: 'Alpine', ...(m ? { release: `v${m[1]}.${m[2]}` } : {}) };
    }
    default: return { ecosystem: fallback };
  }
}
