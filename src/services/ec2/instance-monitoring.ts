/**
 * What CloudWatch monitoring reads of the running instances (the `ec2-metrics` controller): one scan of the instance
 * rows in the running state, with their type, whether detailed monitoring is on (1-minute datapoints; basic monitoring
 * sends 5-minute ones: https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/manage-detailed-monitoring.html) and the
 * container instance its ECS agent registered (whose tasks are what runs on it).
 */
import type { Statements } from '../../state/db.js';

export interface MonitoredInstance {
  account: string;
  region: string;
  id: string;
  type: string;
  detailed: boolean;
  containerInstanceArn?: string;
}

export function runningInstancesToMonitor(sql: Statements): MonitoredInstance[] {
  const rows = sql.get(`SELECT account, region, id, json_extract(doc, '$.instance.InstanceType') AS type,
                          json_extract(doc, '$.instance.Monitoring.State') AS monitoring, json_extract(doc, '$.containerInstanceArn') AS ci
                        FROM ec2_resources WHERE kind = 'instance' AND json_extract(doc, '$.instance.State.Name') = 'running'`)
    .all() as { account: string; region: string; id: string; type: string; monitoring: string | null; ci: string | null }[];
  return rows.map((r) => ({
    account: r.account, region: r.region, id: r.id, type: r.type, detailed: r.monitoring === 'enabled' || r.monitoring === 'pending', ...(r.ci ? { containerInstanceArn: r.ci } : {}),
  }));
}
