/**
 * Where the load balancer reaches an EKS pod: a target registered as a pod's IP and a container port (a Service's
 * endpoint, as the AWS Load Balancer Controller registers pods in `ip` mode) is the loopback port the pod's sandbox
 * published for that port (the kubelet records them on the pod, kube-pod-spec.ts PUBLISHED_PORTS). A pod that has
 * not published the port is unresolvable, with the reason; its bridge address is never a destination.
 */
import type { Resolution, TargetResolver } from '../../../shared/target-resolution.js';
import type { Statements } from '../../../state/db.js';
import { parseObjectKey, type KubeObject } from './objects.js';

/** The pod annotation holding `{"<port>/TCP": "127.0.0.1:<published>"}` (written by the kubelet, controllers/kube-pods.ts). */
export const PUBLISHED_PORTS = 'eks.berth.dev/published-ports';

function podsWithIp(sql: Statements, account: string, region: string, ip: string): KubeObject[] {
  const rows = sql.get(`SELECT o.doc FROM eks_kube_objects o JOIN eks_clusters c ON c.uid = o.cluster
                        WHERE c.account = ? AND c.region = ? AND o.resource = 'pods' AND o.doc LIKE ?`)
    .all(account, region, `%"podIP":"${ip}"%`) as { doc: string }[];
  return rows.map((r) => JSON.parse(r.doc) as KubeObject).filter((p) => p.status?.podIP === ip);
}

export function eksTargetResolver(sql: Statements): TargetResolver {
  return {
    engineHosts: () => [],
    // A pod's write (its sandbox published its ports, it got its IP, it went) moves the target at its IP.
    moves: [{
      kind: 'eks.kube',
      targets: (key: string) => {
        const k = parseObjectKey(key);
        if (k?.resource !== 'pods') return undefined;
        const row = sql.get(`SELECT c.account, c.region, o.doc FROM eks_kube_objects o JOIN eks_clusters c ON c.uid = o.cluster
                             WHERE o.cluster = ? AND o.resource = 'pods' AND o.namespace = ? AND o.name = ?`)
          .get(k.cluster, k.namespace, k.name) as { account: string; region: string; doc: string } | undefined;
        const ip = row ? (JSON.parse(row.doc) as KubeObject).status?.podIP : undefined;
        return row && ip ? { account: row.account, region: row.region, ids: [ip] } : undefined;
      },
    }],
    resolve(account: string, region: string, targetType: string, id: string, port: number): Resolution | undefined {
      if (targetType !== 'ip') return undefined;
      const pod = podsWithIp(sql, account, region, id)[0];
      if (!pod) return undefined;
      const published = JSON.parse(pod.metadata.annotations?.[PUBLISHED_PORTS] ?? '{}') as Record<string, string>;
      const at = published[`${port}/TCP`];
      if (!at) return { unresolvable: `pod ${pod.metadata.namespace}/${pod.metadata.name} publishes no port for container port ${port} (declare it in the container's ports)` };
      const i = at.lastIndexOf(':');
      return { host: at.slice(0, i), port: Number(at.slice(i + 1)) };
    },
  };
}
