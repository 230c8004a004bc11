/** SSM Parameter Store through the v3 SDK: put/get, versions, selectors, SecureString, deletion. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  DeleteParameterCommand,
  DeleteParametersCommand,
  GetParameterCommand,
  GetParameterHistoryCommand,
  GetParametersCommand,
  LabelParameterVersionCommand,
  PutParameterCommand,
  SSMClient,
  UnlabelParameterVersionCommand,
} from '@aws-sdk/client-ssm';
import { useBerth } from '../../helpers/use-berth.js';
import { rejectsNamed } from '../../helpers/aws-errors.js';

const rejectsWith = (p: Promise<unknown>, name: string, message?: string | RegExp) => rejectsNamed(p, name, message, 400);

describe('SSM parameters', () => {
  const berth = useBerth({ runtime: 'fake', clients: { ssm: SSMClient } });

  it('PutParameter creates version 1 and GetParameter returns it with its ARN and data type', async () => {
    const put = await berth.ssm.send(new PutParameterCommand({ Name: '/app/db/host', Value: 'db.internal', Type: 'String', Description: 'the host' }));
    assert.equal(put.Version, 1);
    assert.equal(put.Tier, 'Standard');
    const { Parameter } = await berth.ssm.send(new GetParameterCommand({ Name: '/app/db/host' }));
    assert.equal(Parameter?.Name, '/app/db/host');
    assert.equal(Parameter?.Value, 'db.internal');
    assert.equal(Parameter?.Type, 'String');
    assert.equal(Parameter?.Version, 1);
    assert.equal(Parameter?.DataType, 'text');
    assert.equal(Parameter?.ARN, 'arn:aws:ssm:us-east-1:000000000000:parameter/app/db/host');
    assert.ok(Parameter?.LastModifiedDate instanceof Date);
  });

  it('PutParameter on an existing name without Overwrite fails with ParameterAlreadyExists', async () => {
    await rejectsWith(
      berth.ssm.send(new PutParameterCommand({ Name: '/app/db/host', Value: 'other', Type: 'String' })),
      'ParameterAlreadyExists',
      'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.',
    );
  });

  it('Overwrite adds a version, keeps the type and description, and old versions stay readable by name:version', async () => {
    const put = await berth.ssm.send(new PutParameterCommand({ Name: '/app/db/host', Value: 'db2.internal', Overwrite: true }));
    assert.equal(put.Version, 2);
    const latest = await berth.ssm.send(new GetParameterCommand({ Name: '/app/db/host' }));
    assert.equal(latest.Parameter?.Value, 'db2.internal');
    assert.equal(latest.Parameter?.Type, 'String');
    const v1 = await berth.ssm.send(new GetParameterCommand({ Name: '/app/db/host:1' }));
    assert.equal(v1.Parameter?.Value, 'db.internal');
    assert.equal(v1.Parameter?.Selector, ':1');
    assert.equal(v1.Parameter?.Name, '/app/db/host');
    await rejectsWith(
      berth.ssm.send(new GetParameterCommand({ Name: '/app/db/host:9' })),
      'ParameterVersionNotFound',
      'Systems Manager could not find version 9 of /app/db/host. Verify the version and try again.',
    );
  });

  it('labels select a version, move between versions, and invalid labels are reported', async () => {
    const out = await berth.ssm.send(new LabelParameterVersionCommand({ Name: '/app/db/host', ParameterVersion: 1, Labels: ['stable', 'aws-bad', '1st'] }));
    assert.equal(out.ParameterVersion, 1);
    assert.deepEqual(out.InvalidLabels, ['aws-bad', '1st']);
    assert.equal((await berth.ssm.send(new GetParameterCommand({ Name: '/app/db/host:stable' }))).Parameter?.Value, 'db.internal');
    await berth.ssm.send(new LabelParameterVersionCommand({ Name: '/app/db/host', Labels: ['stable'] }));
    assert.equal((await berth.ssm.send(new GetParameterCommand({ Name: '/app/db/host:stable' }))).Parameter?.Version, 2);
    const history = await berth.ssm.send(new GetParameterHistoryCommand({ Name: '/app/db/host' }));
    assert.deepEqual(history.Parameters?.map((p) => [p.Version, p.Labels]), [[1, []], [2, ['stable']]]);
    const un = await berth.ssm.send(new UnlabelParameterVersionCommand({ Name: '/app/db/host', ParameterVersion: 2, Labels: ['stable', 'nope'] }));
    assert.deepEqual(un.RemovedLabels, ['stable']);
    assert.deepEqual(un.InvalidLabels, ['nope']);
    await rejectsWith(berth.ssm.send(new GetParameterCommand({ Name: '/app/db/host:stable' })), 'ParameterVersionNotFound');
  });

  it('a SecureString comes back as KMS ciphertext without WithDecryption and as plaintext with it', async () => {
    await berth.ssm.send(new PutParameterCommand({ Name: '/app/db/password', Value: 's3cret!', Type: 'SecureString' }));
    const enc = await berth.ssm.send(new GetParameterCommand({ Name: '/app/db/password' }));
    assert.notEqual(enc.Parameter?.Value, 's3cret!');
    assert.match(enc.Parameter!.Value!, /^AQICAH[A-Za-z0-9+/]+=*$/);
    const dec = await berth.ssm.send(new GetParameterCommand({ Name: '/app/db/password', WithDecryption: true }));
    assert.equal(dec.Parameter?.Value, 's3cret!');
    assert.equal(dec.Parameter?.Type, 'SecureString');
    const hist = await berth.ssm.send(new GetParameterHistoryCommand({ Name: '/app/db/password' }));
    assert.equal(hist.Parameters?.[0].KeyId, 'alias/aws/ssm');
  });

  it('a SecureString records the KMS key id it was put with', async () => {
    await berth.ssm.send(new PutParameterCommand({ Name: '/app/api-key', Value: 'k', Type: 'SecureString', KeyId: 'alias/my-key' }));
    const hist = await berth.ssm.send(new GetParameterHistoryCommand({ Name: '/app/api-key', WithDecryption: true }));
    assert.equal(hist.Parameters?.[0].KeyId, 'alias/my-key');
    assert.equal(hist.Parameters?.[0].Value, 'k');
  });

  it('a StringList keeps its comma-separated value', async () => {
    await berth.ssm.send(new PutParameterCommand({ Name: 'hosts', Value: 'a,b,c', Type: 'StringList' }));
    const { Parameter } = await berth.ssm.send(new GetParameterCommand({ Name: 'hosts' }));
    assert.equal(Parameter?.Type, 'StringList');
    assert.equal(Parameter?.Value, 'a,b,c');
    assert.equal(Parameter?.ARN, 'arn:aws:ssm:us-east-1:000000000000:parameter/hosts');
  });

  it('GetParameter accepts the parameter ARN', async () => {
    const { Parameter } = await berth.ssm.send(new GetParameterCommand({ Name: 'arn:aws:ssm:us-east-1:000000000000:parameter/app/db/host' }));
    assert.equal(Parameter?.Name, '/app/db/host');
    const plain = await berth.ssm.send(new GetParameterCommand({ Name: 'arn:aws:ssm:us-east-1:000000000000:parameter/hosts' }));
    assert.equal(plain.Parameter?.Name, 'hosts');
  });

  it('GetParameters returns what exists and lists the rest in InvalidParameters', async () => {
    const out = await berth.ssm.send(new GetParametersCommand({ Names: ['/app/db/host', '/missing', '/app/db/host:1', '/app/db/host:7'], WithDecryption: true }));
    assert.deepEqual(out.Parameters?.map((p) => [p.Name, p.Value]), [['/app/db/host', 'db2.internal'], ['/app/db/host', 'db.internal']]);
    assert.deepEqual(out.InvalidParameters, ['/missing', '/app/db/host:7']);
  });

  it('GetParameters refuses more than 10 names', async () => {
    const names = Array.from({ length: 11 }, (_, i) => `n${i}`);
    await rejectsWith(berth.ssm.send(new GetParametersCommand({ Names: names })), 'ValidationException', /Member must have length less than or equal to 10/);
  });

  it('GetParameter on an unknown name fails with ParameterNotFound', async () => {
    await rejectsWith(berth.ssm.send(new GetParameterCommand({ Name: '/nope' })), 'ParameterNotFound', 'Parameter /nope not found.');
  });

  it('PutParameter validates type, names, value, tier, allowed pattern and data type as SSM does', async () => {
    await rejectsWith(berth.ssm.send(new PutParameterCommand({ Name: '/new', Value: 'v' })), 'ValidationException', 'A parameter type is required when you create a parameter.');
    await rejectsWith(
      berth.ssm.send(new PutParameterCommand({ Name: '/new', Value: 'v', Type: 'Str' as never })),
      'ValidationException',
      "1 validation error detected: Value 'Str' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [SecureString, StringList, String]",
    );
    await rejectsWith(berth.ssm.send(new PutParameterCommand({ Name: '/aws/x', Value: 'v', Type: 'String' })), 'AccessDeniedException', 'No access to reserved parameter name: /aws/x.');
    await rejectsWith(berth.ssm.send(new PutParameterCommand({ Name: 'ssm-x', Value: 'v', Type: 'String' })), 'ValidationException', /can't be prefixed with "aws" or "ssm"/);
    await rejectsWith(berth.ssm.send(new PutParameterCommand({ Name: 'a/b', Value: 'v', Type: 'String' })), 'ValidationException', 'Parameter name must be a fully qualified name.');
    await rejectsWith(berth.ssm.send(new PutParameterCommand({ Name: '/x', Value: 'v', Type: 'String', KeyId: 'alias/k' })), 'ValidationException', /KeyId/);
    await rejectsWith(berth.ssm.send(new PutParameterCommand({ Name: '/big', Value: 'x'.repeat(5000), Type: 'String' })), 'ValidationException', /Standard tier parameters support a maximum/);
    const adv = await berth.ssm.send(new PutParameterCommand({ Name: '/big', Value: 'x'.repeat(5000), Type: 'String', Tier: 'Intelligent-Tiering' }));
    assert.equal(adv.Tier, 'Advanced');
    await rejectsWith(
      berth.ssm.send(new PutParameterCommand({ Name: '/big', Value: 'y', Overwrite: true, Tier: 'Standard' })),
      'ValidationException',
      /can't downgrade a parameter from the advanced-parameter tier/,
    );
    await rejectsWith(
      berth.ssm.send(new PutParameterCommand({ Name: '/num', Value: 'abc', Type: 'String', AllowedPattern: '^\\d+$' })),
      'ParameterPatternMismatchException',
    );
    await berth.ssm.send(new PutParameterCommand({ Name: '/num', Value: '42', Type: 'String', AllowedPattern: '^\\d+$' }));
    await rejectsWith(berth.ssm.send(new PutParameterCommand({ Name: '/num', Value: 'x', Overwrite: true })), 'ParameterPatternMismatchException');
    await rejectsWith(
      berth.ssm.send(new PutParameterCommand({ Name: '/dt', Value: 'v', Type: 'String', DataType: 'Text' })),
      'ValidationException',
      'The following data type is not supported: Text (Data type names are all lowercase.)',
    );
    await rejectsWith(
      berth.ssm.send(new PutParameterCommand({ Name: '/num', Value: '7', Overwrite: true, Tags: [{ Key: 'a', Value: 'b' }] })),
      'ValidationException',
      /tags and overwrite can't be used together/,
    );
  });

  it('DeleteParameter removes every version; a second delete fails with ParameterNotFound', async () => {
    await berth.ssm.send(new PutParameterCommand({ Name: '/gone', Value: 'v', Type: 'String' }));
    await berth.ssm.send(new DeleteParameterCommand({ Name: '/gone' }));
    await rejectsWith(berth.ssm.send(new GetParameterCommand({ Name: '/gone' })), 'ParameterNotFound');
    await rejectsWith(berth.ssm.send(new DeleteParameterCommand({ Name: '/gone' })), 'ParameterNotFound', 'Parameter /gone not found.');
    // A re-created parameter starts again at version 1.
    assert.equal((await berth.ssm.send(new PutParameterCommand({ Name: '/gone', Value: 'v', Type: 'String' }))).Version, 1);
  });

  it('DeleteParameters deletes what exists and reports the rest', async () => {
    await berth.ssm.send(new PutParameterCommand({ Name: '/d1', Value: 'v', Type: 'String' }));
    const out = await berth.ssm.send(new DeleteParametersCommand({ Names: ['/d1', '/d2'] }));
    assert.deepEqual(out.DeletedParameters, ['/d1']);
    assert.deepEqual(out.InvalidParameters, ['/d2']);
  });
});
