/**
 * The image scanner behind ECR basic scanning: reads an image's layers from
 * the blob store (streaming), inventories OS packages (dpkg, apk) and npm
 * lockfiles, and matches them against the offline OSV database the user
 * points Berth at (config `vulnerabilityDb`, env BERTH_VULN_DB). Produces
 * ECR's ImageScanFinding shape; the ecr-image-scan controller stores it.
 */
import type { Attribute, ImageScanFinding } from '@aws-sdk/client-ecr';
import type { Readable } from 'node:stream';
import { parseManifest } from '../../../registry/manifest-format.js';
import { isScannable } from '../store/scans.js';
import { readImageFiles, UnsupportedLayerError } from './layers.js';
import { advisoryUri, cvss3Vector, findingName, loadVulnerabilityDb, matchPackage, severityOf, type VulnerabilityDb } from './osv.js';
import {
  osEcosystem, parseApkInstalled, parseDpkgStatus, parseOsRelease, parsePackageLock, type InstalledPackage,
} from './packages.js';
import { cvss3BaseScore, SEVERITY_ORDER } from './severity.js';

export type ScanStatus = 'COMPLETE' | 'FAILED' | 'UNSUPPORTED_IMAGE';

export interface ScanOutcome {
  status: ScanStatus;
  description: string;
  findings: ImageScanFinding[];
  /** When the vulnerability data was last updated (newest OSV `modified`). */
  sourceUpdatedAt?: number;
}

// ECR's wording for these outcomes.
export const COMPLETE_DESCRIPTION = 'The scan was completed successfully.';
export const UNSUPPORTED_DESCRIPTION = 'UnsupportedImageError: The operating system and/or package manager are not supported.';
export const NO_DB_DESCRIPTION = 'The scan failed: Berth has no vulnerability database. Point vulnerabilityDb (BERTH_VULN_DB) at a directory of OSV JSON files.';

export interface Inventory {
  packages: InstalledPackage[];
  /** OSV release of the OS packages (Debian:12 → "12"), when os-release says. */
  release?: string;
  /** Whether any package database or lockfile was found (even an empty one). */
  recognized: boolean;
}

/** What the image's files say is installed. */
export function inventory(files: Map<string, Buffer>): Inventory {
  const text = (p: string) => files.get(p)?.toString('utf8');
  const osText = text('etc/os-release') ?? text('usr/lib/os-release');
  const os = osText ? parseOsRelease(osText) : undefined;
  const packages: InstalledPackage[] = [];
  let recognized = false;
  for (const [path, data] of [...files].sort(([a], [b]) => a.localeCompare(b))) {
    if (path === 'var/lib/dpkg/status' || path.startsWith('var/lib/dpkg/status.d/')) {
      recognized = true;
      packages.push(...parseDpkgStatus(data.toString('utf8'), `/${path}`, osEcosystem(os, 'Debian').ecosystem));
    } else if (path === 'lib/apk/db/installed') {
      recognized = true;
      packages.push(...parseApkInstalled(data.toString('utf8'), `/${path}`));
    } else if (path.endsWith('package-lock.json')) {
      recognized = true;
      packages.push(...parsePackageLock(data.toString('utf8'), `/${path}`));
    }
  }
  const release = osEcosystem(os, 'Debian').release;
  return { packages, recognized, ...(release ? { release } : {}) };
}

const attr = (key: string, value: string): Attribute => ({ key, value });

/** Findings for an inventory, most severe first, one per (vulnerability, package, version). */
export function findingsFor(db: VulnerabilityDb, inv: Inventory): ImageScanFinding[] {
  const found = new Map<string, ImageScanFinding & { rank: number }>();
  for (const pkg of inv.packages) {
    const release = pkg.ecosystem === 'npm' ? undefined : inv.release;
    const queries = [{ names: [pkg.name], version: pkg.version }];
    if (pkg.source && pkg.source !== pkg.name) queries.unshift({ names: [pkg.source], version: pkg.sourceVersion ?? pkg.version });
    for (const q of queries) {
      for (const m of matchPackage(db, { ecosystem: pkg.ecosystem, release, ...q })) {
        const key = `${m.record.id}|${m.packageName}|${q.version}`;
        if (found.has(key)) continue;
        const severity = severityOf(m);
        const vector = cvss3Vector(m.record);
        const score = vector ? cvss3BaseScore(vector) : undefined;
        found.set(key, {
          rank: SEVERITY_ORDER.indexOf(severity),
          name: findingName(m.record),
          description: (m.record.summary || m.record.details || '').trim(),
          uri: advisoryUri(m.record),
          severity,
          attributes: [
            attr('package_version', q.version),
            attr('package_name', m.packageName),
            ...(m.fixed !== undefined ? [attr('fixed_in_version', m.fixed)] : []),
            ...(vector && score !== undefined ? [attr('CVSS3_VECTOR', vector), attr('CVSS3_SCORE', score.toFixed(1))] : []),
          ],
        });
      }
    }
  }
  return [...found.values()]
    .sort((a, b) => a.rank - b.rank || a.name!.localeCompare(b.name!))
    .map(({ rank: _rank, ...f }) => f);
}

export function severityCounts(findings: ImageScanFinding[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const f of findings) counts[f.severity!] = (counts[f.severity!] ?? 0) + 1;
  return counts;
}

export interface ScanInput {
  manifest: Buffer;
  mediaType: string;
  /** The blob store's reader (whole blob). */
  read: (digest: string) => Promise<Readable>;
  vulnerabilityDb: string | undefined;
}

/** Scans one image manifest. Never throws: a failure is a FAILED outcome with the reason. */
export async function scanImage(input: ScanInput): Promise<ScanOutcome> {
  if (!input.vulnerabilityDb) return { status: 'FAILED', description: NO_DB_DESCRIPTION, findings: [] };
  let db: VulnerabilityDb;
  try {
    db = await loadVulnerabilityDb(input.vulnerabilityDb);
  } catch (err) {
    return { status: 'FAILED', description: `The scan failed: cannot read the vulnerability database: ${(err as Error).message}`, findings: [] };
  }
  try {
    const manifest = parseManifest(input.manifest, input.mediaType);
    if (!isScannable({ mediaType: manifest.mediaType, artifactType: manifest.artifactType ?? null })) {
      return { status: 'UNSUPPORTED_IMAGE', description: UNSUPPORTED_DESCRIPTION, findings: [] };
    }
    const layers = manifest.blobs.slice(1);
    const files = await readImageFiles(layers.length, (i) => input.read(layers[i].digest));
    const inv = inventory(files);
    if (!inv.recognized) return { status: 'UNSUPPORTED_IMAGE', description: UNSUPPORTED_DESCRIPTION, findings: [], sourceUpdatedAt: db.updatedAt };
    return { status: 'COMPLETE', description: COMPLETE_DESCRIPTION, findings: findingsFor(db, inv), sourceUpdatedAt: db.updatedAt };
  } catch (err) {
    const why = err instanceof UnsupportedLayerError ? err.message : `cannot read the image's layers: ${(err as Error).message}`;
    return { status: 'FAILED', description: `The scan failed: ${why}`, findings: [] };
  }
}
