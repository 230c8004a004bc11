/**
 * CloudWatch's input checks as each client sees them (issue 13). CloudWatch's frontend answers a model constraint
 * with ValidationError in the common wording; PutMetricData keeps its older checks (InvalidParameterValue in
 * CloudWatch's own words); a missing member is MissingParameter. The query-era code reaches the JSON and CBOR clients
 * in x-amzn-query-error: awscli 2.9 (query XML) and awscli v1 / botocore 1.43 (rpc-v2-cbor) print it, the SDK v3
 * (JSON and CBOR) names the error after the model's shape for it (ValidationError: ValidationException) and keeps the
 * code in `Code`, as they do against AWS.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AwsSmithyRpcV2CborProtocol } from '@aws-sdk/core/protocols';
import {
  CloudWatchClient, DescribeAlarmsCommand, GetMetricStatisticsCommand, ListMetricsCommand, PutMetricAlarmCommand, PutMetricDataCommand,
  SetAlarmStateCommand, type GetMetricStatisticsInput,
} from '@aws-sdk/client-cloudwatch';
import { aws, cliAvailable, CLIS, mapLimit, type CliName } from '../../helpers/cli.js';
import { useBerth } from '../../helpers/use-berth.js';

const UNITS_AS_AWS_PRINTS_THEM = '[Gigabits/Second, Gigabits, Percent, Terabits, Bits, Kilobits, Megabytes/Second, Kilobytes, ' +
  'Megabits/Second, Terabytes, Bytes, Count, Gigabytes, Milliseconds, Count/Second, Gigabytes/Second, None, Terabytes/Second, ' +
  'Bytes/Second, Megabits, Kilobytes/Second, Megabytes, Microseconds, Kilobits/Second, Terabits/Second, Bits/Second, Seconds]';
const UNITS_IN_MODEL_ORDER = 'Seconds, Microseconds, Milliseconds, Bytes, Kilobytes, Megabytes, Gigabytes, Terabytes, Bits, Kilobits, ' +
  'Megabits, Gigabits, Terabits, Percent, Count, Bytes/Second, Kilobytes/Second, Megabytes/Second, Gigabytes/Second, ' +
  'Terabytes/Second, Bits/Second, Kilobits/Second, Megabits/Second, Gigabits/Second, Terabits/Second, Count/Second, None';
const DIMS_31 = Array.from({ length: 31 }, (_, i) => ({ Name: `d${i}`, Value: 'v' }));

/** What the SDK v3 calls the error with this query-era code (the model's shape for it). */
const SDK_NAME: Record<string, string> = {
  ValidationError: 'ValidationException',
  InvalidParameterValue: 'InvalidParameterValueException',
  MissingParameter: 'MissingRequiredParameterException',
};

interface Case {
  title: string;
  sdk: () => object;
  cli: string[];
  code: string;
  message: string;
}

const CASES: Case[] = [
  {
    title: 'SetAlarmState with StateValue NOPE is refused before the alarm is looked up, AWS\'s enum order',
    sdk: () => new SetAlarmStateCommand({ AlarmName: 'nope', StateValue: 'NOPE' as never, StateReason: 'r' }),
    cli: ['set-alarm-state', '--alarm-name', 'nope', '--state-value', 'NOPE', '--state-reason', 'r'],
    code: 'ValidationError',
    message: "1 validation error detected: Value 'NOPE' at 'stateValue' failed to satisfy constraint: Member must satisfy enum value set: [INSUFFICIENT_DATA, ALARM, OK]",
  },
  {
    title: 'PutMetricAlarm with Unit GB names the units in the order AWS prints them',
    sdk: () => new PutMetricAlarmCommand({
      AlarmName: 'gb', MetricName: 'm', Namespace: 'n', Period: 60, Statistic: 'Average', EvaluationPeriods: 1, Threshold: 1,
      ComparisonOperator: 'GreaterThanThreshold', Unit: 'GB' as never,
    }),
    cli: ['put-metric-alarm', '--alarm-name', 'gb', '--metric-name', 'm', '--namespace', 'n', '--period', '60', '--statistic', 'Average',
      '--evaluation-periods', '1', '--threshold', '1', '--comparison-operator', 'GreaterThanThreshold', '--unit', 'GB'],
    code: 'ValidationError',
    message: `1 validation error detected: Value 'GB' at 'unit' failed to satisfy constraint: Member must satisfy enum value set: ${UNITS_AS_AWS_PRINTS_THEM}`,
  },
  {
    title: 'DescribeAlarms with MaxRecords 101 quotes the number',
    sdk: () => new DescribeAlarmsCommand({ MaxRecords: 101 }),
    cli: ['describe-alarms', '--max-records', '101'],
    code: 'ValidationError',
    message: "1 validation error detected: Value '101' at 'maxRecords' failed to satisfy constraint: Member must have value less than or equal to 100",
  },
  {
    title: 'PutMetricData with an unknown unit is InvalidParameterValue in CloudWatch\'s older words',
    sdk: () => new PutMetricDataCommand({ Namespace: 'App', MetricData: [{ MetricName: 'm', Value: 1, Unit: 'Foo' as never }] }),
    cli: ['put-metric-data', '--namespace', 'App', '--metric-data', JSON.stringify([{ MetricName: 'm', Value: 1, Unit: 'Foo' }])],
    code: 'InvalidParameterValue',
    message: `The parameter MetricData.member.1.Unit must be a value in the set [ ${UNITS_IN_MODEL_ORDER} ].`,
  },
  {
    title: 'PutMetricData with 31 dimensions is InvalidParameterValue, not the generic ValidationError',
    sdk: () => new PutMetricDataCommand({ Namespace: 'App', MetricData: [{ MetricName: 'm', Value: 1, Dimensions: DIMS_31 }] }),
    cli: ['put-metric-data', '--namespace', 'App', '--metric-data', JSON.stringify([{ MetricName: 'm', Value: 1, Dimensions: DIMS_31 }])],
    code: 'InvalidParameterValue',
    message: 'The collection MetricData.member.1.Dimensions must not have a size greater than 30.',
  },
];

describe('CloudWatch input checks through the SDK v3 (JSON and CBOR)', () => {
  const berth = useBerth({ runtime: 'fake', clients: { json: CloudWatchClient, cbor: [CloudWatchClient, { protocol: AwsSmithyRpcV2CborProtocol }] } });

  for (const protocol of ['json', 'cbor'] as const) {
    it(`${protocol}: each case is the error its code names, with Code and message as AWS sends them`, async () => {
      for (const c of CASES) {
        const err = await berth[protocol].send(c.sdk() as never).then(() => assert.fail(`${c.title}: accepted`), (e: any) => e);
        assert.deepEqual([err.name, err.Code, err.$metadata?.httpStatusCode, err.message], [SDK_NAME[c.code], c.code, 400, c.message], c.title);
      }
      // Nothing was stored on the way.
      assert.deepEqual((await berth[protocol].send(new DescribeAlarmsCommand({}))).MetricAlarms, []);
      assert.deepEqual((await berth[protocol].send(new ListMetricsCommand({}))).Metrics, []);
    });

    it(`${protocol}: missing members are MissingParameter, every one named by its query name on its own line`, async () => {
      const err = await berth[protocol].send(new GetMetricStatisticsCommand({ Period: 60, Statistics: ['Sum'] } as GetMetricStatisticsInput))
        .then(() => assert.fail('accepted'), (e: any) => e);
      assert.deepEqual([err.name, err.Code, err.$metadata?.httpStatusCode, err.message], ['MissingRequiredParameterException', 'MissingParameter', 400,
        'The parameter Namespace is required.\nThe parameter MetricName is required.\nThe parameter StartTime is required.\nThe parameter EndTime is required.']);
    });
  }
});

for (const cli of ['v2', 'v1'] as CliName[]) {
  describe(`CloudWatch input checks through ${CLIS[cli].name} (${cli === 'v2' ? 'query' : 'rpc-v2-cbor'})`, { skip: !cliAvailable(cli) && `${CLIS[cli].cmd} not installed` }, () => {
    const berth = useBerth({ runtime: 'fake' });

    it('each case prints the code and message AWS sends', async () => {
      const results = await mapLimit(CASES, 3, (c) => aws(cli, berth.endpoint, ['cloudwatch', ...c.cli]));
      CASES.forEach((c, i) => {
        const r = results[i];
        assert.notEqual(r.code, 0, `${c.title}: accepted`);
        const line = r.stderr.trim().split('\n').pop() ?? '';
        const m = /^An error occurred \((\w+)\) when calling the \w+ operation(?: \(reached max retries: \d+\))?: (.*)$/.exec(line);
        assert.ok(m, `${c.title}: ${r.stderr}`);
        assert.deepEqual([m[1], m[2]], [c.code, c.message], c.title);
      });
    });
  });
}
