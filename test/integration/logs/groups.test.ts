import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, DeleteLogGroupCommand, DeleteRetentionPolicyCommand,
  DescribeLogGroupsCommand, InvalidParameterException, ListLogGroupsCommand, ListTagsForResourceCommand, ListTagsLogGroupCommand,
  paginateDescribeLogGroups, PutLogEventsCommand, PutLogGroupDeletionProtectionCommand, PutRetentionPolicyCommand,
  ResourceAlreadyExistsException, ResourceNotFoundException, TagLogGroupCommand, TagResourceCommand, TooManyTagsException,
  UntagLogGroupCommand, UntagResourceCommand, ValidationException, type LogGroup,
} from '@aws-sdk/client-cloudwatch-logs';
import { clientConfig } from '../../helpers/berth.js';
import { useBerth } from '../../helpers/use-berth.js';
import { rejectsAs as rejects } from '../../helpers/aws-errors.js';

describe('CloudWatch Logs log groups through the v3 SDK', () => {
  const berth = useBerth({ clients: { logs: CloudWatchLogsClient } });

  const describeAll = async (input: object = {}) => {
    const all: LogGroup[] = [];
    for await (const page of paginateDescribeLogGroups({ client: berth.logs, pageSize: 2 }, input)) all.push(...(page.logGroups ?? []));
    return all;
  };

  it('CreateLogGroup makes a group DescribeLogGroups shows with its ARNs, creation time, class and zero bytes', async () => {
    const before = Date.now();
    await berth.logs.send(new CreateLogGroupCommand({ logGroupName: '/app/one' }));
    const [g] = (await berth.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/app/one' }))).logGroups!;
    assert.equal(g.logGroupName, '/app/one');
    assert.equal(g.arn, 'arn:aws:logs:us-east-1:000000000000:log-group:/app/one:*');
    assert.equal(g.logGroupArn, 'arn:aws:logs:us-east-1:000000000000:log-group:/app/one');
    assert.ok(g.creationTime! >= before && g.creationTime! <= Date.now());
    assert.equal(g.storedBytes, 0);
    assert.equal(g.metricFilterCount, 0);
    assert.equal(g.logGroupClass, 'STANDARD');
    assert.equal(g.retentionInDays, undefined, 'a new group keeps events forever');
  });

  it('CreateLogGroup on an existing name is ResourceAlreadyExistsException', async () => {
    await berth.logs.send(new CreateLogGroupCommand({ logGroupName: '/app/dup' }));
    await rejects(berth.logs.send(new CreateLogGroupCommand({ logGroupName: '/app/dup' })), ResourceAlreadyExistsException, 'The specified log group already exists');
  });

  it('CreateLogGroup rejects a name outside [.-_/#A-Za-z0-9] and an unknown class', async () => {
    await rejects(berth.logs.send(new CreateLogGroupCommand({ logGroupName: 'has space' })), InvalidParameterException, /logGroupName.*regular expression pattern/);
    await rejects(berth.logs.send(new CreateLogGroupCommand({ logGroupName: 'x'.repeat(513) })), InvalidParameterException, /length less than or equal to 512/);
    await rejects(berth.logs.send(new CreateLogGroupCommand({ logGroupName: 'c', logGroupClass: 'GOLD' as never })), InvalidParameterException, /logGroupClass/);
  });

  it('storedBytes counts what PutLogEvents stored', async () => {
    await berth.logs.send(new CreateLogGroupCommand({ logGroupName: '/app/bytes' }));
    await berth.logs.send(new CreateLogStreamCommand({ logGroupName: '/app/bytes', logStreamName: 's' }));
    await berth.logs.send(new PutLogEventsCommand({ logGroupName: '/app/bytes', logStreamName: 's', logEvents: [{ timestamp: Date.now(), message: 'héllo' }] }));
    const [g] = (await berth.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/app/bytes' }))).logGroups!;
    assert.equal(g.storedBytes, 6);
  });

  it('DescribeLogGroups pages in name order, filters by prefix or case-insensitive pattern, never both', async () => {
    for (const n of ['pg/c', 'pg/a', 'pg/B-x', 'pg/d', 'other/pg']) await berth.logs.send(new CreateLogGroupCommand({ logGroupName: n }));
    const first = await berth.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: 'pg/', limit: 2 }));
    assert.deepEqual(first.logGroups!.map((g) => g.logGroupName), ['pg/B-x', 'pg/a']);
    assert.ok(first.nextToken);
    assert.deepEqual((await describeAll({ logGroupNamePrefix: 'pg/' })).map((g) => g.logGroupName), ['pg/B-x', 'pg/a', 'pg/c', 'pg/d']);
    const last = await berth.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: 'pg/', limit: 4 }));
    assert.equal(last.nextToken, undefined, 'no token after the last page');
    assert.deepEqual((await describeAll({ logGroupNamePattern: 'PG/b' })).map((g) => g.logGroupName), ['pg/B-x']);
    assert.deepEqual((await describeAll({ logGroupNamePattern: 'pg' })).map((g) => g.logGroupName).filter((n) => n!.includes('pg')).length, 5);
    await rejects(berth.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: 'pg', logGroupNamePattern: 'pg' })), InvalidParameterException, /mutually exclusive/);
    await rejects(berth.logs.send(new DescribeLogGroupsCommand({ limit: 51 })), InvalidParameterException, /less than or equal to 50/);
    await rejects(berth.logs.send(new DescribeLogGroupsCommand({ nextToken: 'garbage!' })), InvalidParameterException, /nextToken/);
  });

  it('DescribeLogGroups takes logGroupIdentifiers by name or ARN', async () => {
    const out = await berth.logs.send(new DescribeLogGroupsCommand({
      logGroupIdentifiers: ['pg/a', 'arn:aws:logs:us-east-1:000000000000:log-group:pg/c', 'nope'],
    }));
    assert.deepEqual(out.logGroups!.map((g) => g.logGroupName), ['pg/a', 'pg/c']);
  });

  it('ListLogGroups lists summaries with ARNs and class', async () => {
    const out = await berth.logs.send(new ListLogGroupsCommand({ logGroupNamePattern: 'pg/a' }));
    assert.deepEqual(out.logGroups, [{ logGroupName: 'pg/a', logGroupArn: 'arn:aws:logs:us-east-1:000000000000:log-group:pg/a', logGroupClass: 'STANDARD' }]);
  });

  it('PutRetentionPolicy accepts only CloudWatch’s values and DeleteRetentionPolicy removes it', async () => {
    await berth.logs.send(new CreateLogGroupCommand({ logGroupName: '/app/ret' }));
    await berth.logs.send(new PutRetentionPolicyCommand({ logGroupName: '/app/ret', retentionInDays: 14 }));
    const get = async () => (await berth.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/app/ret' }))).logGroups![0].retentionInDays;
    assert.equal(await get(), 14);
    await rejects(berth.logs.send(new PutRetentionPolicyCommand({ logGroupName: '/app/ret', retentionInDays: 2 })), InvalidParameterException,
      /Value '2' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: \[1, 3, 5, 7, 14, 30/);
    await berth.logs.send(new DeleteRetentionPolicyCommand({ logGroupName: '/app/ret' }));
    assert.equal(await get(), undefined);
    await rejects(berth.logs.send(new PutRetentionPolicyCommand({ logGroupName: '/nope', retentionInDays: 1 })), ResourceNotFoundException, 'The specified log group does not exist.');
  });

  it('DeleteLogGroup removes the group, its streams and its tags; deleting it again is ResourceNotFoundException', async () => {
    await berth.logs.send(new CreateLogGroupCommand({ logGroupName: '/app/gone', tags: { team: 'a' } }));
    await berth.logs.send(new CreateLogStreamCommand({ logGroupName: '/app/gone', logStreamName: 's' }));
    await berth.logs.send(new DeleteLogGroupCommand({ logGroupName: '/app/gone' }));
    assert.deepEqual((await berth.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/app/gone' }))).logGroups, []);
    await rejects(berth.logs.send(new DeleteLogGroupCommand({ logGroupName: '/app/gone' })), ResourceNotFoundException, 'The specified log group does not exist.');
    await berth.logs.send(new CreateLogGroupCommand({ logGroupName: '/app/gone' }));
    assert.deepEqual((await berth.logs.send(new ListTagsLogGroupCommand({ logGroupName: '/app/gone' }))).tags, {}, 'a re-created group starts untagged');
  });

  it('a group with deletion protection cannot be deleted until protection is turned off', async () => {
    await berth.logs.send(new CreateLogGroupCommand({ logGroupName: '/app/keep', deletionProtectionEnabled: true }));
    await rejects(berth.logs.send(new DeleteLogGroupCommand({ logGroupName: '/app/keep' })), ValidationException,
      'Cannot delete log group with deletion protection enabled. Disable deletion protection first.');
    await berth.logs.send(new PutLogGroupDeletionProtectionCommand({ logGroupIdentifier: '/app/keep', deletionProtectionEnabled: false }));
    await berth.logs.send(new DeleteLogGroupCommand({ logGroupName: '/app/keep' }));
  });

  it('tags set through TagLogGroup and TagResource are the same tags', async () => {
    const arn = 'arn:aws:logs:us-east-1:000000000000:log-group:/app/tags';
    await berth.logs.send(new CreateLogGroupCommand({ logGroupName: '/app/tags', tags: { env: 'dev' } }));
    await berth.logs.send(new TagLogGroupCommand({ logGroupName: '/app/tags', tags: { team: 'core' } }));
    await berth.logs.send(new TagResourceCommand({ resourceArn: arn, tags: { env: 'prod' } }));
    assert.deepEqual((await berth.logs.send(new ListTagsLogGroupCommand({ logGroupName: '/app/tags' }))).tags, { env: 'prod', team: 'core' });
    assert.deepEqual((await berth.logs.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags, { env: 'prod', team: 'core' });
    // The group's `arn` with its trailing :* is not a resource ARN: the model's pattern refuses it, as CloudWatch Logs does.
    await assert.rejects(berth.logs.send(new ListTagsForResourceCommand({ resourceArn: `${arn}:*` })), /InvalidParameterException|validation error/);
    await berth.logs.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ['env'] }));
    await berth.logs.send(new UntagLogGroupCommand({ logGroupName: '/app/tags', tags: ['team'] }));
    assert.deepEqual((await berth.logs.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags, {});
  });

  it('tagging a missing group, over 50 tags or with an aws: key fails as CloudWatch Logs does', async () => {
    await rejects(berth.logs.send(new TagLogGroupCommand({ logGroupName: '/nope', tags: { a: 'b' } })), ResourceNotFoundException, 'The specified log group does not exist.');
    await rejects(berth.logs.send(new ListTagsForResourceCommand({ resourceArn: 'arn:aws:logs:us-east-1:000000000000:log-group:/nope' })), ResourceNotFoundException, /does not exist/);
    await berth.logs.send(new CreateLogGroupCommand({ logGroupName: '/app/many' }));
    const fifty = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, 'v']));
    await berth.logs.send(new TagLogGroupCommand({ logGroupName: '/app/many', tags: fifty }));
    await berth.logs.send(new TagLogGroupCommand({ logGroupName: '/app/many', tags: { k0: 'replaced' } }));
    await rejects(berth.logs.send(new TagLogGroupCommand({ logGroupName: '/app/many', tags: { k50: 'v' } })), TooManyTagsException, /no more than 50 tags/);
    await rejects(berth.logs.send(new TagLogGroupCommand({ logGroupName: '/app/many', tags: { 'aws:x': 'v' } })), InvalidParameterException, /reserved/);
  });

  it('groups are per region: another region does not see them', async () => {
    const west = new CloudWatchLogsClient(clientConfig(berth.endpoint, 'us-west-2'));
    try {
      assert.deepEqual((await west.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/app/one' }))).logGroups, []);
      await west.send(new CreateLogGroupCommand({ logGroupName: '/app/one' }));
      const [g] = (await west.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/app/one' }))).logGroups!;
      assert.equal(g.arn, 'arn:aws:logs:us-west-2:000000000000:log-group:/app/one:*');
    } finally {
      west.destroy();
    }
  });
});
