/**
 * ECS capacity providers in SQLite (user-created ones; FARGATE and
 * FARGATE_SPOT are built in and never stored), and the clusters that use them.
 */
import type { CapacityProvider } from '@aws-sdk/client-ecs';
import type { Scope } from '../../../state/scope.js';
import { nextSeq, parseDoc } from './docs.js';

export function loadCapacityProvider({ sql, account, region }: Scope, name: string): CapacityProvider | undefined {
  const row = sql
    .get('SELECT name, doc FROM ecs_capacity_providers WHERE account = ? AND region = ? AND name = ?')
    .get(account, region, name) as { doc: string } | undefined;
  return parseDoc<CapacityProvider>(row);
}

export function saveCapacityProvider({ sql, account, region }: Scope, provider: CapacityProvider) {
  sql
    .get('UPDATE ecs_capacity_providers SET doc = ? WHERE account = ? AND region = ? AND name = ?')
    .run(JSON.stringify(provider), account, region, provider.name);
}

/** Stores a new provider, or replaces an INACTIVE one of the same name (it moves to the end of the list). */
export function putCapacityProvider({ sql, account, region }: Scope, provider: CapacityProvider, replacing: boolean) {
  const seq = nextSeq(sql, 'ecs_capacity_providers');
  if (replacing) {
    sql.get('UPDATE ecs_capacity_providers SET arn = ?, doc = ?, seq = ? WHERE account = ? AND region = ? AND name = ?')
      .run(provider.capacityProviderArn, JSON.stringify(provider), seq, account, region, provider.name);
  } else {
    sql.get('INSERT INTO ecs_capacity_providers (account, region, name, arn, doc, seq) VALUES (?, ?, ?, ?, ?, ?)')
      .run(account, region, provider.name, provider.capacityProviderArn, JSON.stringify(provider), seq);
  }
}

export function activeCapacityProviderExists({ sql, account, region }: Scope, name: string): boolean {
  return !!sql
    .get("SELECT 1 FROM ecs_capacity_providers WHERE account = ? AND region = ? AND name = ? AND json_extract(doc, '$.status') = 'ACTIVE'")
    .get(account, region, name);
}

/** True if an ACTIVE provider already uses this Auto Scaling group. */
export function autoScalingGroupInUse({ sql, account, region }: Scope, autoScalingGroupArn: string): boolean {
  return !!sql
    .get(`SELECT 1 FROM ecs_capacity_providers WHERE account = ? AND region = ? AND json_extract(doc, '$.status') = 'ACTIVE'
          AND json_extract(doc, '$.autoScalingGroupProvider.autoScalingGroupArn') = ?`)
    .get(account, region, autoScalingGroupArn);
}

export function activeCapacityProviders({ sql, account, region }: Scope): CapacityProvider[] {
  const rows = sql
    .get(`SELECT name, doc FROM ecs_capacity_providers WHERE account = ? AND region = ? AND json_extract(doc, '$.status') = 'ACTIVE' ORDER BY seq`)
    .all(account, region) as { doc: string }[];
  return rows.map((r) => parseDoc<CapacityProvider>(r)!);
}

/** The ACTIVE clusters that list this capacity provider (by name) among their capacityProviders. */
export function clustersUsingProvider({ sql, account, region }: Scope, name: string): string[] {
  return sql
    .get(`SELECT c.name AS name FROM ecs_clusters AS c, json_each(c.doc, '$.capacityProviders') AS p
          WHERE c.account = ? AND c.region = ? AND c.status = 'ACTIVE' AND p.value = ? ORDER BY c.seq`)
    .pluck().all(account, region, name) as string[];
}

/** ACTIVE capacity providers scoped to one cluster (Amazon ECS Managed Instances ones). */
export function clusterScopedProviders({ sql, account, region }: Scope, cluster: string): string[] {
  return sql
    .get(`SELECT name FROM ecs_capacity_providers WHERE account = ? AND region = ?
          AND json_extract(doc, '$.status') = 'ACTIVE' AND json_extract(doc, '$.cluster') = ? ORDER BY seq`)
    .pluck().all(account, region, cluster) as string[];
}
