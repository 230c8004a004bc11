/**
 * App Runner's service log: events of a service's deployments in CloudWatch Logs, log group
 * `/aws/apprunner/<service name>/<service id>/service`, stream `events`, each line `[AppRunner] <what happened>` as App
 * Runner writes them. Written through CloudWatch Logs' own operations (the internal door), so the group is visible
 * and readable with `aws logs`. A line that cannot be written is logged and dropped: a build never fails for its log.
 */
import type { Logger } from '../shared/logger.js';
import type { Invoke } from '../services/provider.js';

export class AppRunnerServiceLog {
  constructor(private readonly d: { invoke: Invoke; log: Logger; now: () => number }) {}

  async write(where: { account: string; region: string; serviceName: string; serviceId: string }, lines: string[]): Promise<void> {
    const caller = { account: where.account, region: where.region };
    const logGroupName = `/aws/apprunner/${where.serviceName}/${where.serviceId}/service`;
    const ignoreExists = (err: { code?: string }) => {
      if (err?.code !== 'ResourceAlreadyExistsException') throw err;
    };
    try {
      await this.d.invoke(caller, 'logs', 'CreateLogGroup', { logGroupName }).catch(ignoreExists);
      await this.d.invoke(caller, 'logs', 'CreateLogStream', { logGroupName, logStreamName: 'events' }).catch(ignoreExists);
      const timestamp = this.d.now();
      await this.d.invoke(caller, 'logs', 'PutLogEvents', {
        logGroupName, logStreamName: 'events', logEvents: lines.map((l) => ({ timestamp, message: `[AppRunner] ${l}` })),
      });
    } catch (err) {
      this.d.log.warn('app runner service log not written', { logGroupName, error: String(err) });
    }
  }
}
