import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { actionOf, checksFor, type ResourceNames, type Where } from './actions.js';

const W: Where = { account: '123456789012', region: 'eu-west-1', principalArn: 'arn:aws:iam::123456789012:user/ci' };
const NAMES: ResourceNames = {
  secretArn: (w, id) => (id === 'db' ? `arn:aws:secretsmanager:${w.region}:${w.account}:secret:db-AbCdEf` : undefined),
  roleArn: (account, name) => (name === 'app' ? `arn:aws:iam::${account}:role/service/app` : undefined),
  userArn: () => undefined,
};
const checks = (service: string, op: string, input: Record<string, unknown>) => checksFor(service, op, input, W, NAMES);
const resources = (service: string, op: string, input: Record<string, unknown>) => checks(service, op, input).map((c) => `${c.action} ${c.resource}`);

describe('operations as IAM actions and resources', () => {
  it('service:OperationName for nearly every operation, with the prefixes and exceptions IAM uses', () => {
    assert.equal(actionOf('ecr', 'PutImage'), 'ecr:PutImage');
    assert.equal(actionOf('secrets-manager', 'GetSecretValue'), 'secretsmanager:GetSecretValue');
    assert.equal(actionOf('elastic-load-balancing-v2', 'CreateLoadBalancer'), 'elasticloadbalancing:CreateLoadBalancer');
    assert.equal(actionOf('eventbridge', 'PutRule'), 'events:PutRule');
    assert.equal(actionOf('efs', 'CreateFileSystem'), 'elasticfilesystem:CreateFileSystem');
    assert.equal(actionOf('s3', 'HeadObject'), 's3:GetObject');
    assert.equal(actionOf('s3', 'ListObjectsV2'), 's3:ListBucket');
    assert.equal(actionOf('s3', 'UploadPart'), 's3:PutObject');
    assert.equal(actionOf('sqs', 'SendMessageBatch'), 'sqs:SendMessage');
    assert.deepEqual(checks('sts', 'GetCallerIdentity', {}), []);
  });

  it('resources from the request, as the Service Authorization Reference names them', () => {
    assert.deepEqual(resources('ecr', 'BatchGetImage', { repositoryName: 'team/web' }), ['ecr:BatchGetImage arn:aws:ecr:eu-west-1:123456789012:repository/team/web']);
    assert.deepEqual(resources('ecr', 'BatchGetImage', { repositoryName: 'web', registryId: '210987654321' }), ['ecr:BatchGetImage arn:aws:ecr:eu-west-1:210987654321:repository/web']);
    assert.deepEqual(resources('ecr', 'GetAuthorizationToken', {}), ['ecr:GetAuthorizationToken *']);
    assert.deepEqual(resources('secrets-manager', 'GetSecretValue', { SecretId: 'db' }), ['secretsmanager:GetSecretValue arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf']);
    assert.deepEqual(resources('ssm', 'GetParameters', { Names: ['/app/a', 'b'] }), [
      'ssm:GetParameters arn:aws:ssm:eu-west-1:123456789012:parameter/app/a', 'ssm:GetParameters arn:aws:ssm:eu-west-1:123456789012:parameter/b',
    ]);
    assert.deepEqual(resources('s3', 'GetObject', { Bucket: 'b', Key: 'k/1' }), ['s3:GetObject arn:aws:s3:::b/k/1']);
    assert.deepEqual(resources('s3', 'ListObjectsV2', { Bucket: 'b' }), ['s3:ListBucket arn:aws:s3:::b']);
    assert.deepEqual(resources('sqs', 'SendMessage', { QueueUrl: 'http://127.0.0.1:4566/123456789012/jobs' }), ['sqs:SendMessage arn:aws:sqs:eu-west-1:123456789012:jobs']);
    assert.deepEqual(resources('logs', 'PutLogEvents', { logGroupName: '/ecs/web', logStreamName: 's' }), ['logs:PutLogEvents arn:aws:logs:eu-west-1:123456789012:log-group:/ecs/web:log-stream:s']);
    assert.deepEqual(resources('logs', 'CreateLogGroup', { logGroupName: '/ecs/web' }), ['logs:CreateLogGroup arn:aws:logs:eu-west-1:123456789012:log-group:/ecs/web:*']);
    assert.deepEqual(resources('iam', 'GetRole', { RoleName: 'app' }), ['iam:GetRole arn:aws:iam::123456789012:role/service/app']);
    assert.deepEqual(resources('iam', 'ListAccessKeys', {}), ['iam:ListAccessKeys arn:aws:iam::123456789012:user/ci']);
    assert.deepEqual(resources('sts', 'AssumeRole', { RoleArn: 'arn:aws:iam::1:role/x' }), ['sts:AssumeRole arn:aws:iam::1:role/x']);
    assert.deepEqual(resources('elastic-load-balancing-v2', 'DeleteLoadBalancer', { LoadBalancerArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/x/1' }),
      ['elasticloadbalancing:DeleteLoadBalancer arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/x/1']);
    assert.deepEqual(resources('ec2', 'DescribeVpcs', {}), ['ec2:DescribeVpcs *']);
  });

  it('ECS: clusters, services, tasks and task definitions, ecs:cluster, and iam:PassRole for the roles a task definition names', () => {
    assert.deepEqual(resources('ecs', 'UpdateService', { cluster: 'prod', service: 'web' }), ['ecs:UpdateService arn:aws:ecs:eu-west-1:123456789012:service/prod/web']);
    const run = checks('ecs', 'RunTask', { cluster: 'prod', taskDefinition: 'web:3' });
    assert.deepEqual(run.map((c) => [c.action, c.resource, c.context?.['ecs:cluster']]),
      [['ecs:RunTask', 'arn:aws:ecs:eu-west-1:123456789012:task-definition/web:3', 'arn:aws:ecs:eu-west-1:123456789012:cluster/prod']]);
    assert.deepEqual(resources('ecs', 'DescribeClusters', {}), ['ecs:DescribeClusters arn:aws:ecs:eu-west-1:123456789012:cluster/default']);
    const register = checks('ecs', 'RegisterTaskDefinition', {
      family: 'web', taskRoleArn: 'arn:aws:iam::123456789012:role/app', executionRoleArn: 'arn:aws:iam::123456789012:role/exec',
      tags: [{ key: 'team', value: 'a' }],
    });
    assert.deepEqual(register.map((c) => `${c.action} ${c.resource}`), [
      'ecs:RegisterTaskDefinition *', 'iam:PassRole arn:aws:iam::123456789012:role/app', 'iam:PassRole arn:aws:iam::123456789012:role/exec',
    ]);
    assert.deepEqual(register[0].context, { 'aws:TagKeys': ['team'], 'aws:RequestTag/team': 'a' });
    assert.deepEqual(register[1].context, { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' });
  });
});
