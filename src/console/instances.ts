/**
 * The console's capacity view: each cluster's container instances (registered vs remaining CPU and memory, task
 * counts, status, agent) read through ECS's door, as DescribeContainerInstances computes them (registered minus what
 * the instance's tasks hold), and each Auto Scaling group (min/desired/max, its instances' lifecycle and health)
 * through EC2 Auto Scaling's door.
 */
import type { Resource } from '@aws-sdk/client-ecs';
import { allGroupKeys, allGroups, parseGroupKey } from '../services/auto-scaling/index.js';
import { instanceUsage, listClusterRows, loadInstances, scopesWithClusters } from '../services/ecs/store/index.js';
import type { Statements } from '../state/db.js';
import type { InstancesView } from './views.js';

const MAX_CLUSTERS = 200;
const MAX_INSTANCES = 500;

const int = (resources: Resource[] | undefined, name: string) => resources?.find((r) => r.name === name)?.integerValue ?? 0;

export function instancesView(sql: Statements): InstancesView {
  const scopes = new Map<string, { account: string; region: string }>();
  for (const s of scopesWithClusters(sql)) scopes.set(`${s.account}/${s.region}`, s);
  for (const k of allGroupKeys(sql)) {
    const g = parseGroupKey(k);
    if (g) scopes.set(`${g.account}/${g.region}`, { account: g.account, region: g.region });
  }
  return {
    scopes: [...scopes.values()].sort((a, b) => `${a.account}/${a.region}`.localeCompare(`${b.account}/${b.region}`)).map(({ account, region }) => {
      const scope = { sql, account, region };
      const clusters = listClusterRows(scope, 0, MAX_CLUSTERS).map((c) => {
        const cluster = c.arn.slice(c.arn.indexOf('/') + 1);
        return {
          name: cluster,
          instances: loadInstances(scope, cluster).slice(0, MAX_INSTANCES).map((ci) => {
            const used = instanceUsage(sql, ci.containerInstanceArn!);
            const cpu = int(ci.registeredResources, 'CPU');
            const memory = int(ci.registeredResources, 'MEMORY');
            return {
              arn: ci.containerInstanceArn!,
              id: ci.containerInstanceArn!.slice(ci.containerInstanceArn!.lastIndexOf('/') + 1),
              ec2InstanceId: ci.ec2InstanceId ?? null,
              status: ci.status ?? '',
              agentConnected: ci.agentConnected ?? false,
              cpu: { registered: cpu, remaining: cpu - used.cpu },
              memory: { registered: memory, remaining: memory - used.memory },
              runningTasks: used.running,
              pendingTasks: used.pending,
              instanceType: ci.attributes?.find((a) => a.name === 'ecs.instance-type')?.value ?? null,
            };
          }),
        };
      }).filter((c) => c.instances.length > 0);
      const groups = allGroups(scope).map((g) => ({
        name: g.AutoScalingGroupName,
        minSize: g.MinSize ?? 0,
        maxSize: g.MaxSize ?? 0,
        desiredCapacity: g.DesiredCapacity ?? 0,
        status: g.Status ?? null,
        instances: (g.Instances ?? []).map((i) => ({
          id: i.InstanceId ?? '', lifecycleState: i.LifecycleState ?? '', health: i.HealthStatus ?? '', zone: i.AvailabilityZone ?? null,
          instanceType: i.InstanceType ?? null, protectedFromScaleIn: i.ProtectedFromScaleIn ?? false,
        })),
      }));
      return { account, region, clusters, groups };
    }),
  };
}
