/**
 * Parameter Store state: one row per parameter (its latest version number and
 * metadata) and one row per version (value, metadata at that version, labels).
 * Reads take a plain scope so the task controller can resolve `secrets` with
 * the same code the API uses.
 */
import type { Statements } from '../../state/db.js';
import type { Scope } from '../../state/scope.js';

export type { Scope };

export type ParameterType = 'String' | 'StringList' | 'SecureString';
export type ParameterTier = 'Standard' | 'Advanced';

/** What a version records besides its value. */
export interface VersionMeta {
  type: ParameterType;
  keyId?: string;
  description?: string;
  allowedPattern?: string;
  tier: ParameterTier;
  dataType: string;
  policies?: string;
  /** Epoch ms. */
  modifiedAt: number;
  modifiedBy: string;
  labels: string[];
  /** For SecureString: what GetParameter returns without WithDecryption. */
  ciphertext?: string;
}

export interface StoredVersion extends VersionMeta {
  name: string;
  version: number;
  value: string;
}

export interface StoredParameter {
  name: string;
  /** The latest version. */
  version: number;
  seq: number;
}

interface VersionRow {
  name: string;
  version: number;
  value: string;
  doc: string;
}

const toVersion = (r: VersionRow): StoredVersion => ({ ...(JSON.parse(r.doc) as VersionMeta), name: r.name, version: r.version, value: r.value });

export function findParameter(s: Scope, name: string): StoredParameter | undefined {
  return s.sql
    .get('SELECT name, version, seq FROM ssm_parameters WHERE account = ? AND region = ? AND name = ?')
    .get(s.account, s.region, name) as StoredParameter | undefined;
}

/** Every parameter of the scope, in name order (the store is small: filtering happens in code). */
export function allParameters(s: Scope): StoredParameter[] {
  return s.sql
    .get('SELECT name, version, seq FROM ssm_parameters WHERE account = ? AND region = ? ORDER BY name')
    .all(s.account, s.region) as StoredParameter[];
}

export function getVersion(s: Scope, name: string, version: number): StoredVersion | undefined {
  const row = s.sql
    .get('SELECT name, version, value, doc FROM ssm_parameter_versions WHERE account = ? AND region = ? AND name = ? AND version = ?')
    .get(s.account, s.region, name, version) as VersionRow | undefined;
  return row ? toVersion(row) : undefined;
}

/** Oldest first. */
export function allVersions(s: Scope, name: string): StoredVersion[] {
  const rows = s.sql
    .get('SELECT name, version, value, doc FROM ssm_parameter_versions WHERE account = ? AND region = ? AND name = ? ORDER BY version')
    .all(s.account, s.region, name) as VersionRow[];
  return rows.map(toVersion);
}

export function versionWithLabel(s: Scope, name: string, label: string): StoredVersion | undefined {
  return allVersions(s, name).find((v) => v.labels.includes(label));
}

function metaOf(v: StoredVersion): VersionMeta {
  const { name: _n, version: _v, value: _value, ...meta } = v;
  return meta;
}

/** Writes a version row (insert or replace) and points the parameter at the highest version. */
export function saveVersion(s: Scope, v: StoredVersion): void {
  s.sql
    .get('INSERT OR REPLACE INTO ssm_parameter_versions (account, region, name, version, value, doc) VALUES (?, ?, ?, ?, ?, ?)')
    .run(s.account, s.region, v.name, v.version, v.value, JSON.stringify(metaOf(v)));
  const existing = findParameter(s, v.name);
  if (!existing) {
    const { n } = s.sql.get('SELECT COALESCE(MAX(seq), 0) AS n FROM ssm_parameters').get() as { n: number };
    s.sql
      .get('INSERT INTO ssm_parameters (account, region, name, version, doc, seq) VALUES (?, ?, ?, ?, ?, ?)')
      .run(s.account, s.region, v.name, v.version, '{}', n + 1);
  } else if (v.version > existing.version) {
    s.sql.get('UPDATE ssm_parameters SET version = ? WHERE account = ? AND region = ? AND name = ?').run(v.version, s.account, s.region, v.name);
  }
}

export function deleteVersion(s: Scope, name: string, version: number): void {
  s.sql.get('DELETE FROM ssm_parameter_versions WHERE account = ? AND region = ? AND name = ? AND version = ?').run(s.account, s.region, name, version);
}

export function deleteParameter(s: Scope, name: string): void {
  s.sql.get('DELETE FROM ssm_parameter_versions WHERE account = ? AND region = ? AND name = ?').run(s.account, s.region, name);
  s.sql.get('DELETE FROM ssm_parameters WHERE account = ? AND region = ? AND name = ?').run(s.account, s.region, name);
}
