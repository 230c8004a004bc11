/** CloudWatch Logs subscription filters and destinations through the v3 SDK. */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CloudWatchLogsClient, CreateLogGroupCommand, DeleteDestinationCommand, DeleteLogGroupCommand, DeleteSubscriptionFilterCommand,
  DescribeDestinationsCommand, DescribeSubscriptionFiltersCommand, InvalidParameterException, LimitExceededException,
  ListTagsForResourceCommand, PutDestinationCommand, PutDestinationPolicyCommand, PutSubscriptionFilterCommand, ResourceNotFoundException,
} from '@aws-sdk/client-cloudwatch-logs';
import { useBerth } from '../../helpers/use-berth.js';
import { rejectsAs } from '../../helpers/aws-errors.js';

describe('CloudWatch Logs subscription filters and destinations through the v3 SDK', () => {
  const berth = useBerth({ runtime: 'fake', clients: { logs: CloudWatchLogsClient } });
  const ROLE = 'arn:aws:iam::000000000000:role/CWLtoKinesisRole';
  const STREAM = 'arn:aws:kinesis:us-east-1:000000000000:stream/RootAccess';
  const DEST_ARN = 'arn:aws:logs:us-east-1:000000000000:destination:central';
  before(async () => {
    await berth.logs.send(new CreateLogGroupCommand({ logGroupName: '/sub/app' }));
  });

  it('PutDestination stores a destination with its ARN; PutDestinationPolicy adds the access policy; tags are kept', async () => {
    const out = await berth.logs.send(new PutDestinationCommand({ destinationName: 'central', targetArn: STREAM, roleArn: ROLE, tags: { team: 'ops' } }));
    assert.equal(out.destination!.arn, DEST_ARN);
    assert.equal(out.destination!.targetArn, STREAM);
    assert.ok(out.destination!.creationTime);
    const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: '111111111111' }, Action: 'logs:PutSubscriptionFilter', Resource: DEST_ARN }] });
    await berth.logs.send(new PutDestinationPolicyCommand({ destinationName: 'central', accessPolicy: policy }));
    const listed = await berth.logs.send(new DescribeDestinationsCommand({ DestinationNamePrefix: 'cen' }));
    assert.deepEqual(listed.destinations!.map((d) => [d.destinationName, d.accessPolicy]), [['central', policy]]);
    assert.deepEqual((await berth.logs.send(new ListTagsForResourceCommand({ resourceArn: DEST_ARN }))).tags, { team: 'ops' });
  });

  it('a subscription filter to a Logs destination is stored and described', async () => {
    await berth.logs.send(new PutSubscriptionFilterCommand({ logGroupName: '/sub/app', filterName: 'all', filterPattern: '', destinationArn: DEST_ARN }));
    await berth.logs.send(new PutSubscriptionFilterCommand({
      logGroupName: '/sub/app', filterName: 'errors', filterPattern: '?ERROR ?FATAL', destinationArn: DEST_ARN, roleArn: ROLE, distribution: 'Random',
    }));
    const out = await berth.logs.send(new DescribeSubscriptionFiltersCommand({ logGroupName: '/sub/app' }));
    assert.deepEqual(out.subscriptionFilters!.map((f) => [f.filterName, f.filterPattern, f.destinationArn, f.distribution, f.roleArn]), [
      ['all', '', DEST_ARN, 'ByLogStream', undefined],
      ['errors', '?ERROR ?FATAL', DEST_ARN, 'Random', ROLE],
    ]);
    const page = await berth.logs.send(new DescribeSubscriptionFiltersCommand({ logGroupName: '/sub/app', limit: 1 }));
    const next = await berth.logs.send(new DescribeSubscriptionFiltersCommand({ logGroupName: '/sub/app', limit: 1, nextToken: page.nextToken }));
    assert.deepEqual([page.subscriptionFilters![0].filterName, next.subscriptionFilters![0].filterName], ['all', 'errors']);
    assert.equal(next.nextToken, undefined);
  });

  it('a third filter on a group exceeds the quota of two; an existing name is updated in place', async () => {
    await rejectsAs(berth.logs.send(new PutSubscriptionFilterCommand({ logGroupName: '/sub/app', filterName: 'third', filterPattern: '', destinationArn: DEST_ARN })),
      LimitExceededException, 'Resource limit exceeded.');
    await berth.logs.send(new PutSubscriptionFilterCommand({ logGroupName: '/sub/app', filterName: 'all', filterPattern: 'x', destinationArn: DEST_ARN }));
    const out = await berth.logs.send(new DescribeSubscriptionFiltersCommand({ logGroupName: '/sub/app', filterNamePrefix: 'al' }));
    assert.deepEqual(out.subscriptionFilters!.map((f) => f.filterPattern), ['x']);
  });

  it('Kinesis, Firehose and Lambda destinations are refused, naming the service Berth does not serve', async () => {
    await berth.logs.send(new DeleteSubscriptionFilterCommand({ logGroupName: '/sub/app', filterName: 'all' }));
    const put = (destinationArn: string) => berth.logs.send(new PutSubscriptionFilterCommand({ logGroupName: '/sub/app', filterName: 'direct', filterPattern: '', destinationArn, roleArn: ROLE }));
    await rejectsAs(put(STREAM), InvalidParameterException, /Could not deliver test message to specified Kinesis stream\. Berth does not serve Amazon Kinesis/);
    await rejectsAs(put('arn:aws:firehose:us-east-1:000000000000:deliverystream/s'), InvalidParameterException, /Berth does not serve Amazon Data Firehose/);
    await rejectsAs(put('arn:aws:lambda:us-east-1:000000000000:function:f'), InvalidParameterException, /Could not execute the lambda function\. Berth does not serve AWS Lambda/);
    await rejectsAs(put('arn:aws:logs:us-east-1:000000000000:destination:none'), ResourceNotFoundException, 'The specified destination does not exist.');
  });

  it('deletes: filters, destinations, and a group with its filters; unknown ones are ResourceNotFoundException', async () => {
    await rejectsAs(berth.logs.send(new DeleteSubscriptionFilterCommand({ logGroupName: '/sub/app', filterName: 'all' })),
      ResourceNotFoundException, 'The specified subscription filter does not exist.');
    await berth.logs.send(new DeleteLogGroupCommand({ logGroupName: '/sub/app' }));
    await berth.logs.send(new CreateLogGroupCommand({ logGroupName: '/sub/app' }));
    assert.deepEqual((await berth.logs.send(new DescribeSubscriptionFiltersCommand({ logGroupName: '/sub/app' }))).subscriptionFilters, []);
    await berth.logs.send(new DeleteDestinationCommand({ destinationName: 'central' }));
    assert.deepEqual((await berth.logs.send(new DescribeDestinationsCommand({}))).destinations, []);
    await rejectsAs(berth.logs.send(new DeleteDestinationCommand({ destinationName: 'central' })), ResourceNotFoundException, 'The specified destination does not exist.');
    await rejectsAs(berth.logs.send(new DescribeSubscriptionFiltersCommand({ logGroupName: '/nope' })), ResourceNotFoundException, 'The specified log group does not exist.');
  });
});
