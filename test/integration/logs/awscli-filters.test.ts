/** Metric filters, Insights and subscriptions through both AWS CLIs (awscli 2.9 and botocore 1.43): what `aws logs …` users type. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { aws, CLIS, cliAvailable, type CliName } from '../../helpers/cli.js';
import { useBerth } from '../../helpers/use-berth.js';

for (const name of ['v2', 'v1'] as CliName[]) {
  describe(`aws logs filters and queries through ${CLIS[name].name}`, { skip: !cliAvailable(name) && `${CLIS[name].name} is not installed` }, () => {
    const berth = useBerth({ runtime: 'fake' });
    const G = `/cli-filters/${name}`;
    const t0 = Date.now() - 60_000;
    const run = async (args: string[]) => {
      const r = await aws(name, berth.endpoint, ['logs', ...args]);
      assert.equal(r.code, 0, `aws logs ${args.join(' ')}: ${r.stderr}`);
      return r.json;
    };

    it('put-metric-filter and describe-metric-filters', async () => {
      await run(['create-log-group', '--log-group-name', G]);
      await run(['put-metric-filter', '--log-group-name', G, '--filter-name', 'errors', '--filter-pattern', '{ $.level = "ERROR" }',
        '--metric-transformations', 'metricName=Errors,metricNamespace=App,metricValue=1,defaultValue=0']);
      const out = await run(['describe-metric-filters', '--log-group-name', G]);
      assert.deepEqual(out.metricFilters.map((f: { filterName: string; metricTransformations: unknown }) => [f.filterName, f.metricTransformations]),
        [['errors', [{ metricName: 'Errors', metricNamespace: 'App', metricValue: '1', defaultValue: 0 }]]]);
    });

    it('test-metric-filter shows the values a space-delimited pattern extracts', async () => {
      const out = await run(['test-metric-filter', '--filter-pattern', '[ip, status=5*, size]', '--log-event-messages', '1.2.3.4 503 10', '1.2.3.4 200 10']);
      assert.deepEqual(out.matches, [{ eventNumber: 1, eventMessage: '1.2.3.4 503 10', extractedValues: { $1: '1.2.3.4', $ip: '1.2.3.4', $2: '503', $status: '503', $3: '10', $size: '10' } }]);
    });

    it('start-query then get-query-results runs a stats query', async () => {
      await run(['create-log-stream', '--log-group-name', G, '--log-stream-name', 's']);
      const events = JSON.stringify(['{"level":"ERROR"}', '{"level":"INFO"}', '{"level":"ERROR"}'].map((message, i) => ({ timestamp: t0 + i, message })));
      await run(['put-log-events', '--log-group-name', G, '--log-stream-name', 's', '--log-events', events]);
      const { queryId } = await run(['start-query', '--log-group-name', G, '--start-time', String(Math.floor(t0 / 1000) - 1), '--end-time', String(Math.floor(Date.now() / 1000)),
        '--query-string', 'stats count(*) as n by level | sort n desc']);
      const out = await run(['get-query-results', '--query-id', queryId]);
      assert.equal(out.status, 'Complete');
      assert.deepEqual(out.results, [[{ field: 'level', value: 'ERROR' }, { field: 'n', value: '2' }], [{ field: 'level', value: 'INFO' }, { field: 'n', value: '1' }]]);
      assert.equal(out.statistics.recordsScanned, 3);
    });

    it('a subscription to a Kinesis stream is refused, naming the service Berth does not serve', async () => {
      const r = await aws(name, berth.endpoint, ['logs', 'put-subscription-filter', '--log-group-name', G, '--filter-name', 'k', '--filter-pattern', '',
        '--destination-arn', 'arn:aws:kinesis:us-east-1:000000000000:stream/s', '--role-arn', 'arn:aws:iam::000000000000:role/r']);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /InvalidParameterException.*Berth does not serve Amazon Kinesis/);
    });
  });
}
