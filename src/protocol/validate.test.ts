import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadModel } from './model.js';
import { constraintsFor } from './constraints.js';
import { inputError, validateInput, violationMessage } from './validate.js';

describe('input validation against the model', () => {
  const op = loadModel('ecs').operations.get('RegisterTaskDefinition')!;

  it('reports each missing required member in the frontend wording', () => {
    const v = validateInput(op.input, {});
    assert.equal(
      violationMessage(v),
      "2 validation errors detected: Value null at 'family' failed to satisfy constraint: Member must not be null; " +
        "Value null at 'containerDefinitions' failed to satisfy constraint: Member must not be null",
    );
  });

  it('reports required members of nested list items with their index', () => {
    const v = validateInput(op.input, { family: 'web', containerDefinitions: [{ name: 'a' }, { name: 'b', secrets: [{ name: 'DB' }] }] });
    assert.deepEqual(v.map((x) => x.path), ['containerDefinitions.2.member.secrets.1.member.valueFrom']);
  });

  it('reports a list given as a scalar as a type error', () => {
    const rt = loadModel('ecs').operations.get('CreateService')!;
    const v = validateInput(rt.input, { serviceName: 's', loadBalancers: 'nope' });
    assert.deepEqual(v.map((x) => [x.kind, x.path]), [['type', 'loadBalancers']]);
  });

  it('reports wrong types and accepts the right ones', () => {
    const v = validateInput(op.input, { family: 5, containerDefinitions: [{ name: 'a', memory: 'lots', essential: 'yes' }] });
    assert.deepEqual(v.map((x) => [x.kind, x.path]), [
      ['type', 'family'],
      ['type', 'containerDefinitions.1.member.memory'],
      ['type', 'containerDefinitions.1.member.essential'],
    ]);
    assert.deepEqual(validateInput(op.input, { family: 'web', containerDefinitions: [{ name: 'a', memory: 512, essential: true }] }), []);
  });
});

describe('model constraints (enum, pattern, length, range) as AWS frontends report them', () => {
  const violations = (svc: string, op: string, input: Record<string, unknown>) =>
    validateInput(loadModel(svc).operations.get(op)!.input, input, svc);
  const message = (svc: string, op: string, input: Record<string, unknown>) => {
    const v = violations(svc, op, input);
    const err = inputError(svc, op, loadModel(svc).entry.validationError, v);
    return `${err.code}: ${err.message}`;
  };

  it('reports out-of-enum values with the model\'s value set, each failure counted and joined with "; "', () => {
    assert.equal(
      message('ecs', 'CreateService', { serviceName: 's', launchType: 'SOMETHING', schedulingStrategy: 'WHATEVER' }),
      "InvalidParameterException: 2 validation errors detected: Value 'SOMETHING' at 'launchType' failed to satisfy constraint: " +
        'Member must satisfy enum value set: [EC2, FARGATE, EXTERNAL, MANAGED_INSTANCES]; ' +
        "Value 'WHATEVER' at 'schedulingStrategy' failed to satisfy constraint: Member must satisfy enum value set: [REPLICA, DAEMON]",
    );
  });

  it('quotes numbers and reports range bounds', () => {
    assert.equal(
      message('logs', 'DescribeLogGroups', { limit: 51 }),
      "InvalidParameterException: 1 validation error detected: Value '51' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 50",
    );
    assert.match(message('logs', 'DescribeLogGroups', { limit: 0 }), /Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1$/);
  });

  it('matches patterns against the whole value (a log-group ARN ending in :* is refused)', () => {
    assert.equal(
      message('logs', 'DescribeLogStreams', { logGroupIdentifier: 'arn:aws:logs:us-east-1:000000000000:log-group:g:*' }),
      "InvalidParameterException: 1 validation error detected: Value 'arn:aws:logs:us-east-1:000000000000:log-group:g:*' at 'logGroupIdentifier' " +
        'failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w#+=/:,.@-]*',
    );
    assert.deepEqual(violations('logs', 'DescribeLogStreams', { logGroupIdentifier: 'arn:aws:logs:us-east-1:000000000000:log-group:g' }), []);
  });

  it('writes query-protocol member paths in camelCase and list items as .N.member', () => {
    assert.equal(
      message('iam', 'CreateRole', { RoleName: 'has space', AssumeRolePolicyDocument: '{}', Tags: [{ Key: 'k', Value: 'v' }, { Key: '', Value: 'v' }] }),
      "ValidationError: 3 validation errors detected: Value 'has space' at 'roleName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+; " +
        "Value '' at 'tags.2.member.key' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
        "Value '' at 'tags.2.member.key' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+",
    );
  });

  it('reports a list of simple values once, with every rule of its members', () => {
    assert.equal(
      message('ecs', 'DescribeClusters', { include: ['TAGS', 'NOPE'] }),
      "InvalidParameterException: 1 validation error detected: Value '[TAGS, NOPE]' at 'include' failed to satisfy constraint: " +
        'Member must satisfy constraint: [Member must satisfy enum value set: [ATTACHMENTS, CONFIGURATIONS, SETTINGS, STATISTICS, TAGS]]',
    );
  });

  it('counts list lengths and string lengths in code points', () => {
    assert.match(message('ssm', 'GetParameters', { Names: Array.from({ length: 11 }, (_, i) => `n${i}`) }), /at 'names' failed to satisfy constraint: Member must have length less than or equal to 10$/);
    assert.deepEqual(violations('ecs', 'TagResource', { resourceArn: 'a', tags: [{ key: '𝒜'.repeat(128), value: 'v' }] }), []);
    assert.equal(violations('ecs', 'TagResource', { resourceArn: 'a', tags: [{ key: '𝒜'.repeat(129), value: 'v' }] })[0].path, 'tags.1.member.key');
  });

  it('does not echo sensitive values', () => {
    assert.equal(
      message('secrets-manager', 'CreateSecret', { Name: 's', SecretString: '' }),
      "ValidationException: 1 validation error detected: Value at 'secretString' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
  });

  it('words ECR\'s older operations its own way and the newer ones in the common wording', () => {
    assert.equal(message('ecr', 'DescribeRepositories', { maxResults: 1001 }),
      "InvalidParameterException: Invalid parameter at 'maxResults' failed to satisfy constraint: 'Member must have value less than or equal to 1000'");
    assert.match(message('ecr', 'PutAccountSetting', { name: '', value: 'x' }), /^ValidationException: 1 validation error detected: Value '' at 'name'/);
  });

  it('names missing members as CloudWatch and SQS do: MissingParameter, by query name', () => {
    const cw = (op: string, input: Record<string, unknown>) => {
      const err = inputError('cloudwatch', op, 'InvalidParameterValue', validateInput(loadModel('cloudwatch').operations.get(op)!.input, input, 'cloudwatch', op));
      return `${err.code}: ${err.message}`;
    };
    assert.equal(cw('PutMetricData', { Namespace: 'n', MetricData: [{ MetricName: 'm' }, { MetricName: 'm', Dimensions: [{ Name: 'a' }] }] }),
      'MissingParameter: The parameter MetricData.member.2.Dimensions.member.1.Value is required.');
    // Missing beats any other failure; every missing member, one per line.
    assert.equal(cw('SetAlarmState', { StateValue: 'NOPE' }), 'MissingParameter: The parameter AlarmName is required.\nThe parameter StateReason is required.');
    const sqs = loadModel('sqs').operations.get('SendMessage')!;
    const err = inputError('sqs', 'SendMessage', 'InvalidParameterValue', validateInput(sqs.input, { QueueUrl: 'q' }, 'sqs', 'SendMessage'));
    assert.deepEqual([err.code, err.message], ['MissingParameter', 'The request must contain the parameter MessageBody.']);
  });

  it('leaves every constraint of CloudWatch\'s PutMetricData to its provider, and none of its other operations\'', () => {
    assert.deepEqual(validateInput(loadModel('cloudwatch').operations.get('PutMetricData')!.input,
      { Namespace: 'n', MetricData: [{ MetricName: 'm', Unit: 'Foo' }] }, 'cloudwatch', 'PutMetricData'), []);
    assert.match(message('cloudwatch', 'PutMetricAlarm', { AlarmName: 'a', Unit: 'Foo' }), /^ValidationError: 1 validation error detected: Value 'Foo' at 'unit'/);
  });

  it('enforces nothing beyond types for EC2 and S3, whose AWS frontends do not', () => {
    const ec2 = loadModel('ec2').operations.get('DescribeVpcs')!;
    assert.deepEqual(validateInput(ec2.input, { MaxResults: 1 }, 'ec2'), []);
  });

  it('finds the constraints of every served service under the v3 schemas\' structure names', () => {
    for (const svc of ['ecs', 'ecr', 'logs', 'elastic-load-balancing-v2', 'iam', 'sts', 'ssm', 'secrets-manager', 'acm', 'efs', 'application-auto-scaling', 'cloudwatch', 'sqs']) {
      const table = constraintsFor(svc)!;
      let constrained = 0;
      for (const op of loadModel(svc).operations.values()) if (table.of(op.input)) constrained++;
      assert.ok(constrained > 0, `${svc}: no operation input found in the constraints file`);
    }
  });
});
