/** CloudWatch Logs resource policies and vended-log deliveries through the v3 SDK: stored and returned as AWS returns them. */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CloudWatchLogsClient, ConflictException, CreateDeliveryCommand, CreateLogGroupCommand, DeleteDeliveryCommand,
  DeleteDeliveryDestinationCommand, DeleteDeliverySourceCommand, DeleteResourcePolicyCommand, DescribeDeliveriesCommand,
  DescribeDeliveryDestinationsCommand, DescribeDeliverySourcesCommand, DescribeResourcePoliciesCommand, GetDeliveryCommand,
  GetDeliveryDestinationCommand, GetDeliveryDestinationPolicyCommand, GetDeliverySourceCommand, InvalidParameterException,
  LimitExceededException, OperationAbortedException, PutDeliveryDestinationCommand, PutDeliveryDestinationPolicyCommand,
  PutDeliverySourceCommand, PutResourcePolicyCommand, ResourceNotFoundException, ValidationException,
} from '@aws-sdk/client-cloudwatch-logs';
import { useBerth } from '../../helpers/use-berth.js';
import { rejectsAs } from '../../helpers/aws-errors.js';

const doc = (sid: string) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: sid, Effect: 'Allow', Principal: { Service: 'es.amazonaws.com' }, Action: 'logs:PutLogEvents', Resource: '*' }] });

describe('CloudWatch Logs resource policies through the v3 SDK', () => {
  const berth = useBerth({ runtime: 'fake', clients: { logs: CloudWatchLogsClient } });
  const GROUP_ARN = 'arn:aws:logs:us-east-1:000000000000:log-group:/pol/app';
  before(async () => { await berth.logs.send(new CreateLogGroupCommand({ logGroupName: '/pol/app' })); });

  it('account policies are stored by name, replaced in place, listed and deleted', async () => {
    const out = await berth.logs.send(new PutResourcePolicyCommand({ policyName: 'es', policyDocument: doc('a') }));
    assert.equal(out.resourcePolicy!.policyName, 'es');
    assert.equal(out.resourcePolicy!.policyScope, 'ACCOUNT');
    assert.ok(out.resourcePolicy!.lastUpdatedTime);
    await berth.logs.send(new PutResourcePolicyCommand({ policyName: 'es', policyDocument: doc('b') }));
    await berth.logs.send(new PutResourcePolicyCommand({ policyName: 'route53', policyDocument: doc('c') }));
    const listed = await berth.logs.send(new DescribeResourcePoliciesCommand({}));
    assert.deepEqual(listed.resourcePolicies!.map((p) => [p.policyName, JSON.parse(p.policyDocument!).Statement[0].Sid]), [['es', 'b'], ['route53', 'c']]);
    await berth.logs.send(new DeleteResourcePolicyCommand({ policyName: 'route53' }));
    await rejectsAs(berth.logs.send(new DeleteResourcePolicyCommand({ policyName: 'route53' })), ResourceNotFoundException, 'Policy with name [route53] does not exist');
  });

  it('at most 10 account policies; a document must be JSON', async () => {
    for (let i = 1; i < 10; i++) await berth.logs.send(new PutResourcePolicyCommand({ policyName: `p${i}`, policyDocument: doc('x') }));
    await rejectsAs(berth.logs.send(new PutResourcePolicyCommand({ policyName: 'p10', policyDocument: doc('x') })), LimitExceededException, 'Resource limit exceeded.');
    await rejectsAs(berth.logs.send(new PutResourcePolicyCommand({ policyName: 'es', policyDocument: '{nope' })), InvalidParameterException, /not a valid JSON/);
  });

  it('a log group policy is keyed by its ARN, with a revision id expectedRevisionId must match', async () => {
    const first = await berth.logs.send(new PutResourcePolicyCommand({ resourceArn: GROUP_ARN, policyDocument: doc('g') }));
    assert.equal(first.resourcePolicy!.policyScope, 'RESOURCE');
    assert.equal(first.resourcePolicy!.resourceArn, GROUP_ARN);
    assert.ok(first.revisionId);
    await rejectsAs(berth.logs.send(new PutResourcePolicyCommand({ resourceArn: GROUP_ARN, policyDocument: doc('h'), expectedRevisionId: 'stale' })),
      OperationAbortedException, /revision/);
    await berth.logs.send(new PutResourcePolicyCommand({ resourceArn: GROUP_ARN, policyDocument: doc('h'), expectedRevisionId: first.revisionId }));
    const mine = await berth.logs.send(new DescribeResourcePoliciesCommand({ resourceArn: GROUP_ARN }));
    assert.deepEqual(mine.resourcePolicies!.map((p) => JSON.parse(p.policyDocument!).Statement[0].Sid), ['h']);
    const account = await berth.logs.send(new DescribeResourcePoliciesCommand({ policyScope: 'ACCOUNT' }));
    assert.ok(account.resourcePolicies!.every((p) => p.policyScope === 'ACCOUNT'));
    await berth.logs.send(new DeleteResourcePolicyCommand({ resourceArn: GROUP_ARN }));
    assert.deepEqual((await berth.logs.send(new DescribeResourcePoliciesCommand({ resourceArn: GROUP_ARN }))).resourcePolicies, []);
  });
});

describe('CloudWatch Logs delivery sources, destinations and deliveries through the v3 SDK', () => {
  const berth = useBerth({ runtime: 'fake', clients: { logs: CloudWatchLogsClient } });
  const RESOURCE = 'arn:aws:bedrock-agentcore:us-east-1:000000000000:runtime/agent-1';
  const BUCKET = 'arn:aws:s3:::delivered-logs';
  const DEST_ARN = 'arn:aws:logs:us-east-1:000000000000:delivery-destination:to-s3';

  it('a delivery source and destination are stored with their ARNs, service and type', async () => {
    const src = await berth.logs.send(new PutDeliverySourceCommand({ name: 'agent', resourceArn: RESOURCE, logType: 'APPLICATION_LOGS', tags: { a: '1' } }));
    assert.deepEqual(src.deliverySource, {
      name: 'agent', arn: 'arn:aws:logs:us-east-1:000000000000:delivery-source:agent', resourceArns: [RESOURCE],
      service: 'bedrock-agentcore', logType: 'APPLICATION_LOGS', tags: { a: '1' },
    });
    const dest = await berth.logs.send(new PutDeliveryDestinationCommand({ name: 'to-s3', outputFormat: 'json', deliveryDestinationConfiguration: { destinationResourceArn: BUCKET } }));
    assert.equal(dest.deliveryDestination!.arn, DEST_ARN);
    assert.equal(dest.deliveryDestination!.deliveryDestinationType, 'S3');
    await berth.logs.send(new PutDeliveryDestinationCommand({ name: 'to-cwl', deliveryDestinationConfiguration: { destinationResourceArn: 'arn:aws:logs:us-east-1:000000000000:log-group:/vended' } }));
    assert.equal((await berth.logs.send(new GetDeliveryDestinationCommand({ name: 'to-cwl' }))).deliveryDestination!.deliveryDestinationType, 'CWL');
    assert.equal((await berth.logs.send(new GetDeliverySourceCommand({ name: 'agent' }))).deliverySource!.logType, 'APPLICATION_LOGS');
    const listed = await berth.logs.send(new DescribeDeliveryDestinationsCommand({ limit: 1 }));
    assert.equal(listed.deliveryDestinations!.length, 1);
    assert.ok(listed.nextToken);
    assert.equal((await berth.logs.send(new DescribeDeliverySourcesCommand({}))).deliverySources!.length, 1);
    await berth.logs.send(new PutDeliveryDestinationPolicyCommand({ deliveryDestinationName: 'to-s3', deliveryDestinationPolicy: doc('d') }));
    assert.equal((await berth.logs.send(new GetDeliveryDestinationPolicyCommand({ deliveryDestinationName: 'to-s3' }))).policy!.deliveryDestinationPolicy, doc('d'));
  });

  it('CreateDelivery joins them once; in use, neither can be deleted; DeleteDelivery frees them', async () => {
    const { delivery } = await berth.logs.send(new CreateDeliveryCommand({ deliverySourceName: 'agent', deliveryDestinationArn: DEST_ARN }));
    assert.match(delivery!.id!, /^[A-Za-z0-9]{16}$/);
    assert.equal(delivery!.arn, `arn:aws:logs:us-east-1:000000000000:delivery:${delivery!.id}`);
    assert.equal(delivery!.deliveryDestinationType, 'S3');
    assert.deepEqual((await berth.logs.send(new GetDeliveryCommand({ id: delivery!.id }))).delivery, delivery);
    assert.deepEqual((await berth.logs.send(new DescribeDeliveriesCommand({}))).deliveries!.map((d) => d.id), [delivery!.id]);
    await rejectsAs(berth.logs.send(new CreateDeliveryCommand({ deliverySourceName: 'agent', deliveryDestinationArn: DEST_ARN })), ConflictException, /already exists/);
    await rejectsAs(berth.logs.send(new DeleteDeliverySourceCommand({ name: 'agent' })), ConflictException, /used by a delivery/);
    await rejectsAs(berth.logs.send(new DeleteDeliveryDestinationCommand({ name: 'to-s3' })), ConflictException, /used by a delivery/);
    await berth.logs.send(new DeleteDeliveryCommand({ id: delivery!.id }));
    await berth.logs.send(new DeleteDeliverySourceCommand({ name: 'agent' }));
    await berth.logs.send(new DeleteDeliveryDestinationCommand({ name: 'to-s3' }));
    await rejectsAs(berth.logs.send(new GetDeliverySourceCommand({ name: 'agent' })), ResourceNotFoundException, /delivery source 'agent' does not exist/);
  });

  it('refuses bad names, unknown sources and destinations, and a destination that is no bucket, group or stream', async () => {
    // The model's pattern, checked by the wire layer before the operation runs (its error is the service's validation error).
    // These newer operations declare only ValidationException and answer it (the older ones answer InvalidParameterException).
    await rejectsAs(berth.logs.send(new PutDeliverySourceCommand({ name: 'a b', resourceArn: RESOURCE, logType: 'X' })),
      ValidationException, /^1 validation error detected: Value 'a b' at 'name' failed to satisfy constraint/);
    await rejectsAs(berth.logs.send(new PutDeliveryDestinationCommand({ name: 'bad', deliveryDestinationConfiguration: { destinationResourceArn: 'arn:aws:sqs:us-east-1:000000000000:q' } })),
      ValidationException, /Invalid destinationResourceArn/);
    await rejectsAs(berth.logs.send(new CreateDeliveryCommand({ deliverySourceName: 'none', deliveryDestinationArn: DEST_ARN })), ResourceNotFoundException, /delivery source/);
    await rejectsAs(berth.logs.send(new GetDeliveryCommand({ id: 'AAAAAAAAAAAAAAAA' })), ResourceNotFoundException, /delivery/);
  });
});
