/** SSM: GetParametersByPath, DescribeParameters, GetParameterHistory paging, tags, Secrets Manager references. */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AddTagsToResourceCommand,
  DescribeParametersCommand,
  GetParameterCommand,
  GetParameterHistoryCommand,
  GetParametersByPathCommand,
  ListTagsForResourceCommand,
  PutParameterCommand,
  RemoveTagsFromResourceCommand,
  SSMClient,
  paginateDescribeParameters,
  paginateGetParametersByPath,
} from '@aws-sdk/client-ssm';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { clientConfig } from '../../helpers/berth.js';
import { useBerth } from '../../helpers/use-berth.js';

async function rejectsWith(p: Promise<unknown>, name: string, message?: string | RegExp) {
  await assert.rejects(p, (err: Error) => {
    assert.equal(err.name, name, `${err.name}: ${err.message}`);
    if (typeof message === 'string') assert.equal(err.message, message);
    else if (message) assert.match(err.message, message);
    return true;
  });
}

describe('SSM paths, describe, history and tags', () => {
  const berth = useBerth({ runtime: 'fake', clients: { ssm: SSMClient } });
  const put = (Name: string, Value: string, Type: 'String' | 'StringList' | 'SecureString' = 'String', extra: object = {}) =>
    berth.ssm.send(new PutParameterCommand({ Name, Value, Type, ...extra }));

  before(async () => {
    await put('/svc/a', '1');
    await put('/svc/b', '2', 'StringList');
    await put('/svc/secret', 'pw', 'SecureString', { KeyId: 'alias/svc' });
    await put('/svc/deep/c', '3');
    await put('/svc/deep/deeper/d', '4');
    await put('/other/x', '5');
    await put('top', '6');
    for (let i = 0; i < 25; i++) await put(`/many/p${String(i).padStart(2, '0')}`, `v${i}`);
  });

  it('GetParametersByPath returns one level, or the whole subtree with Recursive', async () => {
    const one = await berth.ssm.send(new GetParametersByPathCommand({ Path: '/svc' }));
    assert.deepEqual(one.Parameters?.map((p) => p.Name), ['/svc/a', '/svc/b', '/svc/secret']);
    const all = await berth.ssm.send(new GetParametersByPathCommand({ Path: '/svc/', Recursive: true }));
    assert.deepEqual(all.Parameters?.map((p) => p.Name), ['/svc/a', '/svc/b', '/svc/deep/c', '/svc/deep/deeper/d', '/svc/secret']);
    const root = await berth.ssm.send(new GetParametersByPathCommand({ Path: '/' }));
    assert.deepEqual(root.Parameters?.map((p) => p.Name), ['top'], 'names without a leading slash sit at the root');
  });

  it('GetParametersByPath decrypts SecureStrings only WithDecryption', async () => {
    const enc = await berth.ssm.send(new GetParametersByPathCommand({ Path: '/svc' }));
    assert.notEqual(enc.Parameters?.find((p) => p.Name === '/svc/secret')?.Value, 'pw');
    const dec = await berth.ssm.send(new GetParametersByPathCommand({ Path: '/svc', WithDecryption: true }));
    assert.equal(dec.Parameters?.find((p) => p.Name === '/svc/secret')?.Value, 'pw');
  });

  it('GetParametersByPath filters by Type and KeyId, and rejects keys it does not support', async () => {
    const lists = await berth.ssm.send(new GetParametersByPathCommand({ Path: '/svc', ParameterFilters: [{ Key: 'Type', Values: ['StringList'] }] }));
    assert.deepEqual(lists.Parameters?.map((p) => p.Name), ['/svc/b']);
    const begins = await berth.ssm.send(new GetParametersByPathCommand({ Path: '/svc', ParameterFilters: [{ Key: 'Type', Option: 'BeginsWith', Values: ['String'] }] }));
    assert.deepEqual(begins.Parameters?.map((p) => p.Name), ['/svc/a', '/svc/b']);
    const byKey = await berth.ssm.send(new GetParametersByPathCommand({ Path: '/svc', ParameterFilters: [{ Key: 'KeyId', Values: ['alias/svc'] }] }));
    assert.deepEqual(byKey.Parameters?.map((p) => p.Name), ['/svc/secret']);
    await rejectsWith(
      berth.ssm.send(new GetParametersByPathCommand({ Path: '/svc', ParameterFilters: [{ Key: 'Name', Values: ['x'] }] })),
      'InvalidFilterKey',
      'The following filter key is not valid: Name. Valid filter keys include: [Type, KeyId].',
    );
    await rejectsWith(berth.ssm.send(new GetParametersByPathCommand({ Path: 'svc' })), 'ValidationException', /must begin with a forward slash/);
  });

  it('GetParametersByPath pages with MaxResults and NextToken (the SDK paginator sees every parameter once)', async () => {
    const first = await berth.ssm.send(new GetParametersByPathCommand({ Path: '/many', MaxResults: 10 }));
    assert.equal(first.Parameters?.length, 10);
    assert.ok(first.NextToken);
    const names: string[] = [];
    for await (const page of paginateGetParametersByPath({ client: berth.ssm, pageSize: 7 }, { Path: '/many' })) names.push(...page.Parameters!.map((p) => p.Name!));
    assert.equal(names.length, 25);
    assert.equal(new Set(names).size, 25);
    await rejectsWith(berth.ssm.send(new GetParametersByPathCommand({ Path: '/many', MaxResults: 11 })), 'ValidationException', /less than or equal to 10/);
    await rejectsWith(berth.ssm.send(new GetParametersByPathCommand({ Path: '/many', NextToken: 'garbage' })), 'InvalidNextToken');
  });

  it('DescribeParameters returns metadata (never values) ten at a time by default', async () => {
    const first = await berth.ssm.send(new DescribeParametersCommand({}));
    assert.equal(first.Parameters?.length, 10);
    assert.ok(first.NextToken);
    const all = [];
    for await (const page of paginateDescribeParameters({ client: berth.ssm, pageSize: 50 }, {})) all.push(...page.Parameters!);
    assert.equal(all.length, 32);
    const secret = all.find((p) => p.Name === '/svc/secret')!;
    assert.equal(secret.Type, 'SecureString');
    assert.equal(secret.KeyId, 'alias/svc');
    assert.equal(secret.Tier, 'Standard');
    assert.equal(secret.Version, 1);
    assert.equal(secret.ARN, 'arn:aws:ssm:us-east-1:000000000000:parameter/svc/secret');
    assert.equal(secret.LastModifiedUser, 'arn:aws:iam::000000000000:root');
    assert.equal((secret as { Value?: string }).Value, undefined);
  });

  it('DescribeParameters filters by Name, Path, Type and tag, and by the legacy Filters', async () => {
    const desc = async (ParameterFilters: object[]) =>
      (await berth.ssm.send(new DescribeParametersCommand({ ParameterFilters: ParameterFilters as never, MaxResults: 50 }))).Parameters!.map((p) => p.Name);
    assert.deepEqual(await desc([{ Key: 'Name', Values: ['/svc/a'] }]), ['/svc/a']);
    assert.deepEqual(await desc([{ Key: 'Name', Option: 'BeginsWith', Values: ['/svc/deep'] }]), ['/svc/deep/c', '/svc/deep/deeper/d']);
    assert.deepEqual(await desc([{ Key: 'Name', Option: 'Contains', Values: ['deeper'] }]), ['/svc/deep/deeper/d']);
    assert.deepEqual(await desc([{ Key: 'Path', Values: ['/svc/deep'] }]), ['/svc/deep/c']);
    assert.deepEqual(await desc([{ Key: 'Path', Option: 'Recursive', Values: ['/svc/deep'] }]), ['/svc/deep/c', '/svc/deep/deeper/d']);
    assert.deepEqual(await desc([{ Key: 'Type', Values: ['SecureString'] }]), ['/svc/secret']);
    await berth.ssm.send(new AddTagsToResourceCommand({ ResourceType: 'Parameter', ResourceId: '/other/x', Tags: [{ Key: 'team', Value: 'red' }] }));
    assert.deepEqual(await desc([{ Key: 'tag:team', Values: ['red'] }]), ['/other/x']);
    assert.deepEqual(await desc([{ Key: 'tag:team' }]), ['/other/x']);
    const legacy = await berth.ssm.send(new DescribeParametersCommand({ Filters: [{ Key: 'Name', Values: ['/svc/deep'] }] }));
    assert.deepEqual(legacy.Parameters?.map((p) => p.Name), ['/svc/deep/c', '/svc/deep/deeper/d']);
    await rejectsWith(
      berth.ssm.send(new DescribeParametersCommand({ Filters: [{ Key: 'Name', Values: ['a'] }], ParameterFilters: [{ Key: 'Name', Values: ['a'] }] })),
      'ValidationException',
      'You can use either Filters or ParameterFilters in a single request.',
    );
    await rejectsWith(berth.ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Label', Values: ['x'] }] })), 'InvalidFilterKey');
    await rejectsWith(berth.ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Type', Option: 'Contains', Values: ['x'] }] })), 'InvalidFilterOption');
  });

  it('GetParameterHistory lists every version with its value and pages', async () => {
    for (let i = 2; i <= 5; i++) await berth.ssm.send(new PutParameterCommand({ Name: '/svc/a', Value: String(i), Overwrite: true, Description: `v${i}` }));
    const page1 = await berth.ssm.send(new GetParameterHistoryCommand({ Name: '/svc/a', MaxResults: 3 }));
    assert.deepEqual(page1.Parameters?.map((p) => [p.Version, p.Value]), [[1, '1'], [2, '2'], [3, '3']]);
    const page2 = await berth.ssm.send(new GetParameterHistoryCommand({ Name: '/svc/a', MaxResults: 3, NextToken: page1.NextToken }));
    assert.deepEqual(page2.Parameters?.map((p) => [p.Version, p.Description]), [[4, 'v4'], [5, 'v5']]);
    assert.equal(page2.NextToken, undefined);
    await rejectsWith(berth.ssm.send(new GetParameterHistoryCommand({ Name: '/nope' })), 'ParameterNotFound');
  });

  it('tags are added, listed and removed on a parameter; an unknown parameter is InvalidResourceId', async () => {
    await put('/tagged', 'v', 'String', { Tags: [{ Key: 'env', Value: 'dev' }] });
    await berth.ssm.send(new AddTagsToResourceCommand({ ResourceType: 'Parameter', ResourceId: '/tagged', Tags: [{ Key: 'env', Value: 'prod' }, { Key: 'app', Value: 'web' }] }));
    const listed = await berth.ssm.send(new ListTagsForResourceCommand({ ResourceType: 'Parameter', ResourceId: '/tagged' }));
    assert.deepEqual(listed.TagList, [{ Key: 'env', Value: 'prod' }, { Key: 'app', Value: 'web' }]);
    await berth.ssm.send(new RemoveTagsFromResourceCommand({ ResourceType: 'Parameter', ResourceId: '/tagged', TagKeys: ['env'] }));
    const after = await berth.ssm.send(new ListTagsForResourceCommand({ ResourceType: 'Parameter', ResourceId: '/tagged' }));
    assert.deepEqual(after.TagList, [{ Key: 'app', Value: 'web' }]);
    await rejectsWith(berth.ssm.send(new ListTagsForResourceCommand({ ResourceType: 'Parameter', ResourceId: '/none' })), 'InvalidResourceId');
  });

  it('a Secrets Manager secret reads through /aws/reference/secretsmanager/ only WithDecryption', async () => {
    const sm = new SecretsManagerClient(clientConfig(berth.endpoint));
    await sm.send(new CreateSecretCommand({ Name: 'ref/db', SecretString: '{"password":"x"}' }));
    sm.destroy();
    const { Parameter } = await berth.ssm.send(new GetParameterCommand({ Name: '/aws/reference/secretsmanager/ref/db', WithDecryption: true }));
    assert.equal(Parameter?.Value, '{"password":"x"}');
    assert.equal(Parameter?.Type, 'SecureString');
    assert.match(Parameter?.ARN ?? '', /^arn:aws:secretsmanager:us-east-1:000000000000:secret:ref\/db-[A-Za-z0-9]{6}$/);
    await rejectsWith(
      berth.ssm.send(new GetParameterCommand({ Name: '/aws/reference/secretsmanager/ref/db' })),
      'ValidationException',
      'WithDecryption flag must be True for retrieving a Secret Manager secret.',
    );
    await rejectsWith(berth.ssm.send(new GetParameterCommand({ Name: '/aws/reference/secretsmanager/none', WithDecryption: true })), 'ParameterNotFound');
  });
});
