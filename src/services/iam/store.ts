/**
 * IAM state. IAM is global: rows are keyed by account only (no region), and
 * names are unique regardless of case, as in IAM. A role row keeps the
 * SDK-shaped Role (without tags: those live in the shared `tags` table under
 * the role ARN) in `doc`; inline policies and attachments have their own rows.
 */
import type { Policy, Role } from '@aws-sdk/client-iam';
import type { Statements } from '../../state/db.js';
import type { Scope } from '../../state/scope.js';

/** IAM is global: its resources belong to an account, in no region. */
export type IamScope = Pick<Scope, 'sql' | 'account'>;

/** A stored role: the Role without tags, dates as ISO strings. */
export type StoredRole = Omit<Role, 'Tags' | 'CreateDate'> & { RoleName: string; Arn: string; RoleId: string; Path: string; CreateDate: string };

export type StoredPolicy = Omit<Policy, 'Tags' | 'CreateDate' | 'UpdateDate'> & {
  PolicyName: string; Arn: string; Path: string; CreateDate: string; UpdateDate: string;
};

const nextSeq = (s: IamScope, table: string) =>
  (s.sql.get(`SELECT COALESCE(MAX(seq), 0) + 1 AS n FROM ${table} WHERE account = ?`).get(s.account) as { n: number }).n;

// ---- roles

export function findRole(s: IamScope, name: string): StoredRole | undefined {
  const row = s.sql.get('SELECT doc FROM iam_roles WHERE account = ? AND name = ?').get(s.account, name) as { doc: string } | undefined;
  return row ? JSON.parse(row.doc) : undefined;
}

export function findRoleByArn(sql: Statements, arn: string): StoredRole | undefined {
  const row = sql.get('SELECT doc FROM iam_roles WHERE arn = ?').get(arn) as { doc: string } | undefined;
  return row ? JSON.parse(row.doc) : undefined;
}

/** Every role of the account in name order (an account holds at most a few thousand). */
export function allRoles(s: IamScope): StoredRole[] {
  return (s.sql.get('SELECT doc FROM iam_roles WHERE account = ? ORDER BY name').all(s.account) as { doc: string }[]).map((r) => JSON.parse(r.doc));
}

export function insertRole(s: IamScope, role: StoredRole): void {
  // Sessions of a role Berth did not know (task roles) may have been evaluated without its policies.
  bumpPolicyStamp(s.sql);
  s.sql.get('INSERT INTO iam_roles (account, name, role_id, arn, path, doc, seq) VALUES (?, ?, ?, ?, ?, ?, ?)')
    .run(s.account, role.RoleName, role.RoleId, role.Arn, role.Path, JSON.stringify(role), nextSeq(s, 'iam_roles'));
}

/** Role updates (description, session limit, trust policy, last use) change no permissions: no new stamp. */
export function updateRole(s: IamScope, role: StoredRole): void {
  s.sql.get('UPDATE iam_roles SET doc = ? WHERE account = ? AND name = ?').run(JSON.stringify(role), s.account, role.RoleName);
}

export function deleteRoleRow(s: IamScope, name: string): void {
  bumpPolicyStamp(s.sql);
  s.sql.get('DELETE FROM iam_roles WHERE account = ? AND name = ?').run(s.account, name);
}

// ---- inline policies

export function rolePolicyNames(s: IamScope, role: string): string[] {
  return s.sql.get('SELECT policy_name FROM iam_role_policies WHERE account = ? AND role_name = ? ORDER BY policy_name')
    .pluck().all(s.account, role) as string[];
}

export function getRolePolicyDocument(s: IamScope, role: string, policy: string): string | undefined {
  return s.sql.get('SELECT document FROM iam_role_policies WHERE account = ? AND role_name = ? AND policy_name = ?')
    .pluck().get(s.account, role, policy) as string | undefined;
}

export function putRolePolicyRow(s: IamScope, role: string, policy: string, document: string): void {
  bumpPolicyStamp(s.sql);
  s.sql.get(`INSERT INTO iam_role_policies (account, role_name, policy_name, document, seq) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (account, role_name, policy_name) DO UPDATE SET document = excluded.document`)
    .run(s.account, role, policy, document, nextSeq(s, 'iam_role_policies'));
}

export function deleteRolePolicyRow(s: IamScope, role: string, policy: string): boolean {
  bumpPolicyStamp(s.sql);
  return s.sql.get('DELETE FROM iam_role_policies WHERE account = ? AND role_name = ? AND policy_name = ?').run(s.account, role, policy).changes > 0;
}

// ---- attached managed policies

export function attachedPolicyArns(s: IamScope, role: string): string[] {
  return s.sql.get('SELECT policy_arn FROM iam_role_attached_policies WHERE account = ? AND role_name = ? ORDER BY seq')
    .pluck().all(s.account, role) as string[];
}

export function attachPolicyRow(s: IamScope, role: string, arn: string): void {
  bumpPolicyStamp(s.sql);
  s.sql.get('INSERT OR IGNORE INTO iam_role_attached_policies (account, role_name, policy_arn, seq) VALUES (?, ?, ?, ?)')
    .run(s.account, role, arn, nextSeq(s, 'iam_role_attached_policies'));
}

export function detachPolicyRow(s: IamScope, role: string, arn: string): boolean {
  bumpPolicyStamp(s.sql);
  return s.sql.get('DELETE FROM iam_role_attached_policies WHERE account = ? AND role_name = ? AND policy_arn = ?').run(s.account, role, arn).changes > 0;
}

/** How many roles, users and groups (of any account) have this managed policy attached. */
export function attachmentCount(sql: Statements, arn: string): number {
  return (sql.get('SELECT COUNT(*) FROM iam_role_attached_policies WHERE policy_arn = ?').pluck().get(arn) as number)
    + (sql.get('SELECT COUNT(*) FROM iam_user_attached_policies WHERE policy_arn = ?').pluck().get(arn) as number)
    + (sql.get('SELECT COUNT(*) FROM iam_group_attached_policies WHERE policy_arn = ?').pluck().get(arn) as number);
}

// ---- customer managed policies

export function findPolicyByArn(sql: Statements, arn: string): (StoredPolicy & { document: string }) | undefined {
  const row = sql.get('SELECT doc, document FROM iam_policies WHERE arn = ?').get(arn) as { doc: string; document: string } | undefined;
  return row ? { ...JSON.parse(row.doc), document: row.document } : undefined;
}

export function findPolicyByName(s: IamScope, name: string): StoredPolicy | undefined {
  const row = s.sql.get('SELECT doc FROM iam_policies WHERE account = ? AND name = ?').get(s.account, name) as { doc: string } | undefined;
  return row ? JSON.parse(row.doc) : undefined;
}

export function allPolicies(s: IamScope): StoredPolicy[] {
  return (s.sql.get('SELECT doc FROM iam_policies WHERE account = ? ORDER BY name').all(s.account) as { doc: string }[]).map((r) => JSON.parse(r.doc));
}

/** A new policy and its version v1. */
export function insertPolicy(s: IamScope, policy: StoredPolicy, document: string): void {
  s.sql.get('INSERT INTO iam_policies (account, name, arn, path, document, doc, seq) VALUES (?, ?, ?, ?, ?, ?, ?)')
    .run(s.account, policy.PolicyName, policy.Arn, policy.Path, document, JSON.stringify(policy), nextSeq(s, 'iam_policies'));
  insertPolicyVersion(s.sql, policy.Arn, { VersionId: 'v1', number: 1, Document: document, CreateDate: policy.CreateDate });
}

export function deletePolicyRow(sql: Statements, arn: string): void {
  bumpPolicyStamp(sql);
  sql.get('DELETE FROM iam_policy_versions WHERE policy_arn = ?').run(arn);
  sql.get('DELETE FROM iam_policies WHERE arn = ?').run(arn);
}

// ---- instance profiles

/** A stored instance profile: the InstanceProfile without its roles and tags (its role's name is a column). */
export interface StoredInstanceProfile {
  InstanceProfileName: string;
  InstanceProfileId: string;
  Arn: string;
  Path: string;
  CreateDate: string;
  /** The role it holds (IAM allows one), if any. */
  RoleName?: string;
}

const toProfile = (row: { doc: string; role_name: string | null } | undefined): StoredInstanceProfile | undefined =>
  row ? { ...JSON.parse(row.doc), ...(row.role_name ? { RoleName: row.role_name } : {}) } : undefined;

/** An instance profile by name (regardless of case, as IAM looks names up). */
export function findInstanceProfile(s: IamScope, name: string): StoredInstanceProfile | undefined {
  return toProfile(s.sql.get('SELECT doc, role_name FROM iam_instance_profiles WHERE account = ? AND name = ?').get(s.account, name) as
    | { doc: string; role_name: string | null } | undefined);
}

/** An instance profile by ARN (EC2's RunInstances names one either way). */
export function findInstanceProfileByArn(sql: Statements, arn: string): StoredInstanceProfile | undefined {
  return toProfile(sql.get('SELECT doc, role_name FROM iam_instance_profiles WHERE arn = ?').get(arn) as { doc: string; role_name: string | null } | undefined);
}

export function allInstanceProfiles(s: IamScope): StoredInstanceProfile[] {
  return (s.sql.get('SELECT doc, role_name FROM iam_instance_profiles WHERE account = ? ORDER BY name').all(s.account) as { doc: string; role_name: string | null }[])
    .map((r) => toProfile(r)!);
}

export function instanceProfilesOfRole(s: IamScope, role: string): StoredInstanceProfile[] {
  return (s.sql.get('SELECT doc, role_name FROM iam_instance_profiles WHERE account = ? AND role_name = ? ORDER BY name').all(s.account, role) as
    { doc: string; role_name: string | null }[]).map((r) => toProfile(r)!);
}

export function insertInstanceProfile(s: IamScope, p: StoredInstanceProfile): void {
  const { RoleName: _role, ...doc } = p;
  s.sql.get('INSERT INTO iam_instance_profiles (account, name, profile_id, arn, path, role_name, doc, seq) VALUES (?, ?, ?, ?, ?, NULL, ?, ?)')
    .run(s.account, p.InstanceProfileName, p.InstanceProfileId, p.Arn, p.Path, JSON.stringify(doc), nextSeq(s, 'iam_instance_profiles'));
}

export function setInstanceProfileRole(s: IamScope, name: string, role: string | null): void {
  s.sql.get('UPDATE iam_instance_profiles SET role_name = ? WHERE account = ? AND name = ?').run(role, s.account, name);
}

export function deleteInstanceProfileRow(s: IamScope, name: string): void {
  s.sql.get('DELETE FROM iam_instance_profiles WHERE account = ? AND name = ?').run(s.account, name);
}

/** Rewrites a policy's metadata and the default version's document it keeps beside it. */
export function updatePolicyRow(sql: Statements, policy: StoredPolicy, document: string): void {
  bumpPolicyStamp(sql);
  sql.get('UPDATE iam_policies SET doc = ?, document = ? WHERE arn = ?').run(JSON.stringify(policy), document, policy.Arn);
}

// ---- managed policy versions (the default one's document is also in iam_policies.document)

export interface StoredPolicyVersion {
  VersionId: string;
  /** The N of vN. */
  number: number;
  Document: string;
  CreateDate: string;
}

export function policyVersions(sql: Statements, arn: string): StoredPolicyVersion[] {
  return sql.get('SELECT version_id AS VersionId, number, document AS Document, create_date AS CreateDate FROM iam_policy_versions WHERE policy_arn = ? ORDER BY number')
    .all(arn) as StoredPolicyVersion[];
}

/** The next version number of a policy (ids are never reused, as in IAM), counted as taken. */
export function takeVersionNumber(sql: Statements, arn: string): number {
  return sql.get('UPDATE iam_policies SET last_version = last_version + 1 WHERE arn = ? RETURNING last_version').pluck().get(arn) as number;
}

export function insertPolicyVersion(sql: Statements, arn: string, v: StoredPolicyVersion): void {
  sql.get('INSERT INTO iam_policy_versions (policy_arn, version_id, number, document, create_date) VALUES (?, ?, ?, ?, ?)')
    .run(arn, v.VersionId, v.number, v.Document, v.CreateDate);
}

export function deletePolicyVersionRow(sql: Statements, arn: string, versionId: string): void {
  sql.get('DELETE FROM iam_policy_versions WHERE policy_arn = ? AND version_id = ?').run(arn, versionId);
}

// ---- users and their access keys (issue 23)

export interface StoredUser { UserName: string; UserId: string; Arn: string; Path: string; CreateDate: string }

export function findUser(s: IamScope, name: string): StoredUser | undefined {
  const row = s.sql.get('SELECT doc FROM iam_users WHERE account = ? AND name = ?').get(s.account, name) as { doc: string } | undefined;
  return row ? JSON.parse(row.doc) : undefined;
}

export function allUsers(s: IamScope): StoredUser[] {
  return (s.sql.get('SELECT doc FROM iam_users WHERE account = ? ORDER BY name').all(s.account) as { doc: string }[]).map((r) => JSON.parse(r.doc));
}

export function insertUser(s: IamScope, user: StoredUser): void {
  s.sql.get('INSERT INTO iam_users (account, name, user_id, arn, path, doc, seq) VALUES (?, ?, ?, ?, ?, ?, ?)')
    .run(s.account, user.UserName, user.UserId, user.Arn, user.Path, JSON.stringify(user), nextSeq(s, 'iam_users'));
}

export function deleteUserRow(s: IamScope, name: string): void {
  bumpPolicyStamp(s.sql);
  s.sql.get('DELETE FROM iam_users WHERE account = ? AND name = ?').run(s.account, name);
}

/** A long-term access key; `userName` null is a root access key. Dates are epoch ms. */
export interface StoredAccessKey {
  accessKeyId: string; account: string; userName: string | null; secret: string; status: 'Active' | 'Inactive';
  createdAt: number; lastUsedAt: number | null; lastUsedRegion: string | null; lastUsedService: string | null;
}

interface KeyRow {
  access_key_id: string; account: string; user_name: string | null; secret: string; status: 'Active' | 'Inactive';
  created_at: number; last_used_at: number | null; last_used_region: string | null; last_used_service: string | null;
}
const keyFromRow = (r: KeyRow): StoredAccessKey => ({
  accessKeyId: r.access_key_id, account: r.account, userName: r.user_name, secret: r.secret, status: r.status,
  createdAt: r.created_at, lastUsedAt: r.last_used_at, lastUsedRegion: r.last_used_region, lastUsedService: r.last_used_service,
});

/** The access key (any account), for the gateway to learn who signed and with which secret. */
export function findAccessKey(sql: Statements, accessKeyId: string): StoredAccessKey | undefined {
  if (!accessKeyId.startsWith('AKIA')) return undefined;
  const row = sql.get('SELECT * FROM iam_access_keys WHERE access_key_id = ?').get(accessKeyId) as KeyRow | undefined;
  return row ? keyFromRow(row) : undefined;
}

export function accessKeysOf(s: IamScope, userName: string | null): StoredAccessKey[] {
  const rows = userName === null
    ? s.sql.get('SELECT * FROM iam_access_keys WHERE account = ? AND user_name IS NULL ORDER BY created_at').all(s.account)
    : s.sql.get('SELECT * FROM iam_access_keys WHERE account = ? AND user_name = ? ORDER BY created_at').all(s.account, userName);
  return (rows as KeyRow[]).map(keyFromRow);
}

export function insertAccessKey(sql: Statements, k: StoredAccessKey): void {
  sql.get(`INSERT INTO iam_access_keys (access_key_id, account, user_name, secret, status, created_at) VALUES (?, ?, ?, ?, ?, ?)`)
    .run(k.accessKeyId, k.account, k.userName, k.secret, k.status, k.createdAt);
}

export function setAccessKeyStatus(sql: Statements, accessKeyId: string, status: string): void {
  sql.get('UPDATE iam_access_keys SET status = ? WHERE access_key_id = ?').run(status, accessKeyId);
}

export function deleteAccessKeyRow(sql: Statements, accessKeyId: string): void {
  sql.get('DELETE FROM iam_access_keys WHERE access_key_id = ?').run(accessKeyId);
}

/**
 * IAM reports last use late (up to hours: https://docs.aws.amazon.com/IAM/latest/APIReference/API_AccessKeyLastUsed.html):
 * one write a minute per key, whatever the service, keeps the request path read-only (a client alternating services
 * would otherwise write on every request).
 */
export function recordAccessKeyUse(sql: Statements, k: StoredAccessKey, now: number, region: string, service: string): void {
  if (k.lastUsedAt !== null && now - k.lastUsedAt < 60_000) return;
  sql.get('UPDATE iam_access_keys SET last_used_at = ?, last_used_region = ?, last_used_service = ? WHERE access_key_id = ?')
    .run(now, region, service, k.accessKeyId);
}

// ---- users' inline and attached policies (issue 23)

export function userPolicyNames(s: IamScope, user: string): string[] {
  return s.sql.get('SELECT policy_name FROM iam_user_policies WHERE account = ? AND user_name = ? ORDER BY policy_name')
    .pluck().all(s.account, user) as string[];
}

export function getUserPolicyDocument(s: IamScope, user: string, policy: string): string | undefined {
  return s.sql.get('SELECT document FROM iam_user_policies WHERE account = ? AND user_name = ? AND policy_name = ?')
    .pluck().get(s.account, user, policy) as string | undefined;
}

export function putUserPolicyRow(s: IamScope, user: string, policy: string, document: string): void {
  bumpPolicyStamp(s.sql);
  s.sql.get(`INSERT INTO iam_user_policies (account, user_name, policy_name, document, seq) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (account, user_name, policy_name) DO UPDATE SET document = excluded.document`)
    .run(s.account, user, policy, document, nextSeq(s, 'iam_user_policies'));
}

export function deleteUserPolicyRow(s: IamScope, user: string, policy: string): boolean {
  bumpPolicyStamp(s.sql);
  return s.sql.get('DELETE FROM iam_user_policies WHERE account = ? AND user_name = ? AND policy_name = ?').run(s.account, user, policy).changes > 0;
}

export function userAttachedPolicyArns(s: IamScope, user: string): string[] {
  return s.sql.get('SELECT policy_arn FROM iam_user_attached_policies WHERE account = ? AND user_name = ? ORDER BY seq')
    .pluck().all(s.account, user) as string[];
}

export function attachUserPolicyRow(s: IamScope, user: string, arn: string): void {
  bumpPolicyStamp(s.sql);
  s.sql.get('INSERT OR IGNORE INTO iam_user_attached_policies (account, user_name, policy_arn, seq) VALUES (?, ?, ?, ?)')
    .run(s.account, user, arn, nextSeq(s, 'iam_user_attached_policies'));
}

export function detachUserPolicyRow(s: IamScope, user: string, arn: string): boolean {
  bumpPolicyStamp(s.sql);
  return s.sql.get('DELETE FROM iam_user_attached_policies WHERE account = ? AND user_name = ? AND policy_arn = ?').run(s.account, user, arn).changes > 0;
}

// ---- groups, their members and policies (issue 23)

export interface StoredGroup { GroupName: string; GroupId: string; Arn: string; Path: string; CreateDate: string }

export function findGroup(s: IamScope, name: string): StoredGroup | undefined {
  const row = s.sql.get('SELECT doc FROM iam_groups WHERE account = ? AND name = ?').get(s.account, name) as { doc: string } | undefined;
  return row ? JSON.parse(row.doc) : undefined;
}

export function allGroups(s: IamScope): StoredGroup[] {
  return (s.sql.get('SELECT doc FROM iam_groups WHERE account = ? ORDER BY name').all(s.account) as { doc: string }[]).map((r) => JSON.parse(r.doc));
}

export function insertGroup(s: IamScope, g: StoredGroup): void {
  s.sql.get('INSERT INTO iam_groups (account, name, group_id, arn, path, doc, seq) VALUES (?, ?, ?, ?, ?, ?, ?)')
    .run(s.account, g.GroupName, g.GroupId, g.Arn, g.Path, JSON.stringify(g), nextSeq(s, 'iam_groups'));
}

export function deleteGroupRow(s: IamScope, name: string): void {
  bumpPolicyStamp(s.sql);
  s.sql.get('DELETE FROM iam_groups WHERE account = ? AND name = ?').run(s.account, name);
}

export function groupMembers(s: IamScope, group: string): string[] {
  return s.sql.get('SELECT user_name FROM iam_group_members WHERE account = ? AND group_name = ? ORDER BY seq').pluck().all(s.account, group) as string[];
}

export function groupsOfUser(s: IamScope, user: string): string[] {
  return s.sql.get('SELECT g.name FROM iam_group_members m JOIN iam_groups g ON g.account = m.account AND g.name = m.group_name WHERE m.account = ? AND m.user_name = ? ORDER BY g.name')
    .pluck().all(s.account, user) as string[];
}

export function addGroupMember(s: IamScope, group: string, user: string): void {
  bumpPolicyStamp(s.sql);
  s.sql.get('INSERT OR IGNORE INTO iam_group_members (account, group_name, user_name, seq) VALUES (?, ?, ?, ?)')
    .run(s.account, group, user, nextSeq(s, 'iam_group_members'));
}

export function removeGroupMember(s: IamScope, group: string, user: string): boolean {
  bumpPolicyStamp(s.sql);
  return s.sql.get('DELETE FROM iam_group_members WHERE account = ? AND group_name = ? AND user_name = ?').run(s.account, group, user).changes > 0;
}

export function groupPolicyNames(s: IamScope, group: string): string[] {
  return s.sql.get('SELECT policy_name FROM iam_group_policies WHERE account = ? AND group_name = ? ORDER BY policy_name')
    .pluck().all(s.account, group) as string[];
}

export function getGroupPolicyDocument(s: IamScope, group: string, policy: string): string | undefined {
  return s.sql.get('SELECT document FROM iam_group_policies WHERE account = ? AND group_name = ? AND policy_name = ?')
    .pluck().get(s.account, group, policy) as string | undefined;
}

export function putGroupPolicyRow(s: IamScope, group: string, policy: string, document: string): void {
  bumpPolicyStamp(s.sql);
  s.sql.get(`INSERT INTO iam_group_policies (account, group_name, policy_name, document, seq) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (account, group_name, policy_name) DO UPDATE SET document = excluded.document`)
    .run(s.account, group, policy, document, nextSeq(s, 'iam_group_policies'));
}

export function deleteGroupPolicyRow(s: IamScope, group: string, policy: string): boolean {
  bumpPolicyStamp(s.sql);
  return s.sql.get('DELETE FROM iam_group_policies WHERE account = ? AND group_name = ? AND policy_name = ?').run(s.account, group, policy).changes > 0;
}

export function groupAttachedPolicyArns(s: IamScope, group: string): string[] {
  return s.sql.get('SELECT policy_arn FROM iam_group_attached_policies WHERE account = ? AND group_name = ? ORDER BY seq')
    .pluck().all(s.account, group) as string[];
}

export function attachGroupPolicyRow(s: IamScope, group: string, arn: string): void {
  bumpPolicyStamp(s.sql);
  s.sql.get('INSERT OR IGNORE INTO iam_group_attached_policies (account, group_name, policy_arn, seq) VALUES (?, ?, ?, ?)')
    .run(s.account, group, arn, nextSeq(s, 'iam_group_attached_policies'));
}

export function detachGroupPolicyRow(s: IamScope, group: string, arn: string): boolean {
  bumpPolicyStamp(s.sql);
  return s.sql.get('DELETE FROM iam_group_attached_policies WHERE account = ? AND group_name = ? AND policy_arn = ?').run(s.account, group, arn).changes > 0;
}

// ---- the policy stamp: changes whenever what any principal may do changes (evaluation caches key on it)

/** A new random stamp (not a counter: a reset that empties the table must not bring back an old value). */
export function bumpPolicyStamp(sql: Statements): void {
  sql.get('INSERT INTO iam_policy_stamp (id, stamp) VALUES (1, random()) ON CONFLICT (id) DO UPDATE SET stamp = random()').run();
}

export function policyStamp(sql: Statements): number {
  return (sql.get('SELECT stamp FROM iam_policy_stamp WHERE id = 1').pluck().get() as number | undefined) ?? 0;
}
