/** Secrets Manager through the v3 SDK: secrets, versions and stages, lookups, deletion window, tags. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  BatchGetSecretValueCommand,
  CreateSecretCommand,
  DeleteResourcePolicyCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetRandomPasswordCommand,
  GetResourcePolicyCommand,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  PutResourcePolicyCommand,
  PutSecretValueCommand,
  RestoreSecretCommand,
  SecretsManagerClient,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateSecretCommand,
  UpdateSecretVersionStageCommand,
  ValidateResourcePolicyCommand,
} from '@aws-sdk/client-secrets-manager';
import { useBerth } from '../../helpers/use-berth.js';
import { rejectsNamed } from '../../helpers/aws-errors.js';

const rejectsWith = (p: Promise<unknown>, name: string, message?: string | RegExp) => rejectsNamed(p, name, message, 400);

const NOT_FOUND = "Secrets Manager can't find the specified secret.";
const MARKED = "You can't perform this operation on the secret because it was marked for deletion.";

describe('Secrets Manager secrets', () => {
  const berth = useBerth({ runtime: 'fake', clients: { sm: SecretsManagerClient } });
  let dbArn: string;

  it('CreateSecret returns an ARN with a six-character random suffix and a first version', async () => {
    const out = await berth.sm.send(new CreateSecretCommand({
      Name: 'prod/db', SecretString: '{"username":"app","password":"pw1"}', Description: 'database', KmsKeyId: 'alias/db-key',
      Tags: [{ Key: 'env', Value: 'prod' }],
    }));
    assert.match(out.ARN!, /^arn:aws:secretsmanager:us-east-1:000000000000:secret:prod\/db-[A-Za-z0-9]{6}$/);
    assert.equal(out.Name, 'prod/db');
    assert.ok(out.VersionId);
    dbArn = out.ARN!;
  });

  it('GetSecretValue finds the secret by name, full ARN and partial ARN', async () => {
    for (const id of ['prod/db', dbArn, dbArn.slice(0, -7)]) {
      const v = await berth.sm.send(new GetSecretValueCommand({ SecretId: id }));
      assert.equal(v.SecretString, '{"username":"app","password":"pw1"}', id);
      assert.equal(v.ARN, dbArn);
      assert.deepEqual(v.VersionStages, ['AWSCURRENT']);
      assert.ok(v.CreatedDate instanceof Date);
    }
    await rejectsWith(berth.sm.send(new GetSecretValueCommand({ SecretId: 'prod/nope' })), 'ResourceNotFoundException', NOT_FOUND);
    await rejectsWith(berth.sm.send(new GetSecretValueCommand({ SecretId: `${dbArn.slice(0, -6)}zzzzzz` })), 'ResourceNotFoundException', NOT_FOUND);
  });

  it('CreateSecret on an existing name fails with ResourceExistsException; a retry with the same token is idempotent', async () => {
    await rejectsWith(
      berth.sm.send(new CreateSecretCommand({ Name: 'prod/db', SecretString: 'x' })),
      'ResourceExistsException',
      'The operation failed because the secret prod/db already exists.',
    );
    const token = 'a'.repeat(32);
    const first = await berth.sm.send(new CreateSecretCommand({ Name: 'idem', SecretString: 'v', ClientRequestToken: token }));
    const again = await berth.sm.send(new CreateSecretCommand({ Name: 'idem', SecretString: 'v', ClientRequestToken: token }));
    assert.equal(again.ARN, first.ARN);
    assert.equal(again.VersionId, token);
  });

  it('CreateSecret refuses both a string and a binary value, and bad names', async () => {
    await rejectsWith(
      berth.sm.send(new CreateSecretCommand({ Name: 'both', SecretString: 'x', SecretBinary: Buffer.from('y') })),
      'InvalidParameterException',
      "You can't specify both a binary secret value and a string secret value in the same secret.",
    );
    await rejectsWith(berth.sm.send(new CreateSecretCommand({ Name: 'bad name!', SecretString: 'x' })), 'InvalidParameterException', /Invalid name/);
  });

  it('a binary secret comes back as bytes', async () => {
    await berth.sm.send(new CreateSecretCommand({ Name: 'bin', SecretBinary: Buffer.from([0, 1, 2, 255]) }));
    const v = await berth.sm.send(new GetSecretValueCommand({ SecretId: 'bin' }));
    assert.deepEqual([...v.SecretBinary!], [0, 1, 2, 255]);
    assert.equal(v.SecretString, undefined);
  });

  it('a secret created without a value has no AWSCURRENT version yet', async () => {
    const out = await berth.sm.send(new CreateSecretCommand({ Name: 'empty' }));
    assert.equal(out.VersionId, undefined);
    await rejectsWith(
      berth.sm.send(new GetSecretValueCommand({ SecretId: 'empty' })),
      'ResourceNotFoundException',
      "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT",
    );
  });

  it('PutSecretValue moves AWSCURRENT to the new version and AWSPREVIOUS to the old one', async () => {
    const v1 = (await berth.sm.send(new GetSecretValueCommand({ SecretId: 'prod/db' }))).VersionId!;
    const put = await berth.sm.send(new PutSecretValueCommand({ SecretId: 'prod/db', SecretString: '{"username":"app","password":"pw2"}' }));
    assert.deepEqual(put.VersionStages, ['AWSCURRENT']);
    const cur = await berth.sm.send(new GetSecretValueCommand({ SecretId: 'prod/db' }));
    assert.equal(JSON.parse(cur.SecretString!).password, 'pw2');
    const prev = await berth.sm.send(new GetSecretValueCommand({ SecretId: 'prod/db', VersionStage: 'AWSPREVIOUS' }));
    assert.equal(prev.VersionId, v1);
    assert.equal(JSON.parse(prev.SecretString!).password, 'pw1');
    const byId = await berth.sm.send(new GetSecretValueCommand({ SecretId: 'prod/db', VersionId: v1 }));
    assert.deepEqual(byId.VersionStages, ['AWSPREVIOUS']);
    // A third value pushes v1 out of every stage.
    await berth.sm.send(new PutSecretValueCommand({ SecretId: 'prod/db', SecretString: '{"username":"app","password":"pw3"}' }));
    const desc = await berth.sm.send(new DescribeSecretCommand({ SecretId: 'prod/db' }));
    assert.equal(Object.keys(desc.VersionIdsToStages!).length, 2);
    assert.equal(desc.VersionIdsToStages![v1], undefined);
    const all = await berth.sm.send(new ListSecretVersionIdsCommand({ SecretId: 'prod/db', IncludeDeprecated: true }));
    assert.equal(all.Versions?.length, 3);
  });

  it('an AWSPENDING version is readable by stage and promoted with UpdateSecretVersionStage', async () => {
    const pending = await berth.sm.send(new PutSecretValueCommand({ SecretId: 'prod/db', SecretString: '{"password":"next"}', VersionStages: ['AWSPENDING'] }));
    assert.deepEqual(pending.VersionStages, ['AWSPENDING']);
    const p = await berth.sm.send(new GetSecretValueCommand({ SecretId: 'prod/db', VersionStage: 'AWSPENDING' }));
    assert.equal(p.SecretString, '{"password":"next"}');
    const current = (await berth.sm.send(new GetSecretValueCommand({ SecretId: 'prod/db' }))).VersionId!;
    await rejectsWith(
      berth.sm.send(new UpdateSecretVersionStageCommand({ SecretId: 'prod/db', VersionStage: 'AWSCURRENT', MoveToVersionId: pending.VersionId })),
      'InvalidParameterException',
      /RemoveFromVersionId can't be empty/,
    );
    await berth.sm.send(new UpdateSecretVersionStageCommand({
      SecretId: 'prod/db', VersionStage: 'AWSCURRENT', MoveToVersionId: pending.VersionId, RemoveFromVersionId: current,
    }));
    const now = await berth.sm.send(new GetSecretValueCommand({ SecretId: 'prod/db' }));
    assert.equal(now.VersionId, pending.VersionId);
    assert.deepEqual(now.VersionStages?.sort(), ['AWSCURRENT', 'AWSPENDING']);
    assert.equal((await berth.sm.send(new GetSecretValueCommand({ SecretId: 'prod/db', VersionStage: 'AWSPREVIOUS' }))).VersionId, current);
  });

  it('GetSecretValue reports unknown versions and stages, and a stage that is not on the version', async () => {
    await rejectsWith(
      berth.sm.send(new GetSecretValueCommand({ SecretId: 'prod/db', VersionId: 'f'.repeat(36) })),
      'ResourceNotFoundException',
      `Secrets Manager can't find the specified secret value for VersionId: ${'f'.repeat(36)}`,
    );
    await rejectsWith(
      berth.sm.send(new GetSecretValueCommand({ SecretId: 'prod/db', VersionStage: 'NOPE' })),
      'ResourceNotFoundException',
      "Secrets Manager can't find the specified secret value for staging label: NOPE",
    );
    const prev = (await berth.sm.send(new GetSecretValueCommand({ SecretId: 'prod/db', VersionStage: 'AWSPREVIOUS' }))).VersionId;
    await rejectsWith(
      berth.sm.send(new GetSecretValueCommand({ SecretId: 'prod/db', VersionId: prev, VersionStage: 'AWSCURRENT' })),
      'InvalidRequestException',
      'You provided a VersionStage that is not associated to the provided VersionId.',
    );
  });

  it('PutSecretValue with a used token is a no-op for the same value and an error for another', async () => {
    const token = 'b'.repeat(40);
    const a = await berth.sm.send(new PutSecretValueCommand({ SecretId: 'idem', SecretString: 'v2', ClientRequestToken: token }));
    const b = await berth.sm.send(new PutSecretValueCommand({ SecretId: 'idem', SecretString: 'v2', ClientRequestToken: token }));
    assert.equal(a.VersionId, b.VersionId);
    await rejectsWith(berth.sm.send(new PutSecretValueCommand({ SecretId: 'idem', SecretString: 'v3', ClientRequestToken: token })), 'ResourceExistsException');
    await rejectsWith(berth.sm.send(new PutSecretValueCommand({ SecretId: 'idem' })), 'InvalidRequestException');
  });

  it('UpdateSecret changes the description and KMS key, and a new value becomes AWSCURRENT', async () => {
    const out = await berth.sm.send(new UpdateSecretCommand({ SecretId: 'bin', Description: 'bytes', KmsKeyId: 'alias/other', SecretString: 'now text' }));
    assert.ok(out.VersionId);
    const desc = await berth.sm.send(new DescribeSecretCommand({ SecretId: 'bin' }));
    assert.equal(desc.Description, 'bytes');
    assert.equal(desc.KmsKeyId, 'alias/other');
    assert.equal((await berth.sm.send(new GetSecretValueCommand({ SecretId: 'bin' }))).SecretString, 'now text');
    const meta = await berth.sm.send(new UpdateSecretCommand({ SecretId: 'bin', Description: 'only meta' }));
    assert.equal(meta.VersionId, undefined);
  });

  it('DescribeSecret shows the metadata, tags, stages and the day the value was last read', async () => {
    const d = await berth.sm.send(new DescribeSecretCommand({ SecretId: dbArn }));
    assert.equal(d.Name, 'prod/db');
    assert.equal(d.Description, 'database');
    assert.equal(d.KmsKeyId, 'alias/db-key');
    assert.deepEqual(d.Tags, [{ Key: 'env', Value: 'prod' }]);
    assert.ok(d.CreatedDate instanceof Date && d.LastChangedDate instanceof Date);
    const day = new Date();
    day.setUTCHours(0, 0, 0, 0);
    assert.equal(d.LastAccessedDate?.getTime(), day.getTime());
    assert.equal(d.DeletedDate, undefined);
  });

  it('TagResource and UntagResource change the tags', async () => {
    await berth.sm.send(new TagResourceCommand({ SecretId: 'prod/db', Tags: [{ Key: 'team', Value: 'core' }, { Key: 'env', Value: 'staging' }] }));
    assert.deepEqual((await berth.sm.send(new DescribeSecretCommand({ SecretId: 'prod/db' }))).Tags, [{ Key: 'env', Value: 'staging' }, { Key: 'team', Value: 'core' }]);
    await berth.sm.send(new UntagResourceCommand({ SecretId: 'prod/db', TagKeys: ['env'] }));
    assert.deepEqual((await berth.sm.send(new DescribeSecretCommand({ SecretId: 'prod/db' }))).Tags, [{ Key: 'team', Value: 'core' }]);
  });

  it('DeleteSecret schedules deletion (30 days by default); the secret is then unreadable until RestoreSecret', async () => {
    await berth.sm.send(new CreateSecretCommand({ Name: 'doomed', SecretString: 'x' }));
    const before = Date.now();
    const del = await berth.sm.send(new DeleteSecretCommand({ SecretId: 'doomed' }));
    const days = (del.DeletionDate!.getTime() - before) / 86_400_000;
    assert.ok(days > 29.99 && days < 30.01, `deletion in ${days} days`);
    await rejectsWith(berth.sm.send(new GetSecretValueCommand({ SecretId: 'doomed' })), 'InvalidRequestException', MARKED);
    await rejectsWith(berth.sm.send(new PutSecretValueCommand({ SecretId: 'doomed', SecretString: 'y' })), 'InvalidRequestException', MARKED);
    await rejectsWith(berth.sm.send(new DeleteSecretCommand({ SecretId: 'doomed' })), 'InvalidRequestException', MARKED);
    await rejectsWith(
      berth.sm.send(new CreateSecretCommand({ Name: 'doomed', SecretString: 'x' })),
      'InvalidRequestException',
      "You can't create this secret because a secret with this name is already scheduled for deletion.",
    );
    const desc = await berth.sm.send(new DescribeSecretCommand({ SecretId: 'doomed' }));
    assert.ok(desc.DeletedDate instanceof Date);
    await berth.sm.send(new RestoreSecretCommand({ SecretId: 'doomed' }));
    assert.equal((await berth.sm.send(new GetSecretValueCommand({ SecretId: 'doomed' }))).SecretString, 'x');
  });

  it('DeleteSecret checks the recovery window and ForceDeleteWithoutRecovery removes the secret at once', async () => {
    await rejectsWith(
      berth.sm.send(new DeleteSecretCommand({ SecretId: 'doomed', RecoveryWindowInDays: 6 })),
      'InvalidParameterException',
      'The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).',
    );
    await rejectsWith(
      berth.sm.send(new DeleteSecretCommand({ SecretId: 'doomed', RecoveryWindowInDays: 7, ForceDeleteWithoutRecovery: true })),
      'InvalidParameterException',
      "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.",
    );
    const week = await berth.sm.send(new DeleteSecretCommand({ SecretId: 'doomed', RecoveryWindowInDays: 7 }));
    assert.ok(Math.abs(week.DeletionDate!.getTime() - Date.now() - 7 * 86_400_000) < 60_000);
    await berth.sm.send(new DeleteSecretCommand({ SecretId: 'doomed', ForceDeleteWithoutRecovery: true }));
    await rejectsWith(berth.sm.send(new DescribeSecretCommand({ SecretId: 'doomed' })), 'ResourceNotFoundException', NOT_FOUND);
    // The name is free again.
    await berth.sm.send(new CreateSecretCommand({ Name: 'doomed', SecretString: 'again' }));
  });

  it('BatchGetSecretValue returns values and per-secret errors', async () => {
    const out = await berth.sm.send(new BatchGetSecretValueCommand({ SecretIdList: ['idem', 'nope'] }));
    assert.deepEqual(out.SecretValues?.map((v) => [v.Name, v.SecretString]), [['idem', 'v2']]);
    assert.deepEqual(out.Errors?.map((e) => [e.SecretId, e.ErrorCode]), [['nope', 'ResourceNotFoundException']]);
  });

  it('a resource policy is stored, read back, validated and deleted; a public one is refused with BlockPublicPolicy', async () => {
    const { ARN } = await berth.sm.send(new CreateSecretCommand({ Name: 'with-policy', SecretString: 'x' }));
    assert.deepEqual(await berth.sm.send(new GetResourcePolicyCommand({ SecretId: 'with-policy' })).then(({ ARN: a, Name, ResourcePolicy }) => ({ a, Name, ResourcePolicy })),
      { a: ARN, Name: 'with-policy', ResourcePolicy: undefined });
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::000000000000:role/app' }, Action: 'secretsmanager:GetSecretValue', Resource: '*' }],
    });
    const put = await berth.sm.send(new PutResourcePolicyCommand({ SecretId: ARN, ResourcePolicy: policy, BlockPublicPolicy: true }));
    assert.equal(put.ARN, ARN);
    assert.equal((await berth.sm.send(new GetResourcePolicyCommand({ SecretId: 'with-policy' }))).ResourcePolicy, policy);
    const open = JSON.stringify({ Version: '2012-10-17', Statement: { Effect: 'Allow', Principal: '*', Action: 'secretsmanager:*', Resource: '*' } });
    await rejectsWith(berth.sm.send(new PutResourcePolicyCommand({ SecretId: ARN, ResourcePolicy: open, BlockPublicPolicy: true })), 'PublicPolicyException');
    await rejectsWith(berth.sm.send(new PutResourcePolicyCommand({ SecretId: ARN, ResourcePolicy: '{"Statement": ' })), 'MalformedPolicyDocumentException');
    const valid = await berth.sm.send(new ValidateResourcePolicyCommand({ ResourcePolicy: policy }));
    assert.deepEqual([valid.PolicyValidationPassed, valid.ValidationErrors], [true, []]);
    const broad = await berth.sm.send(new ValidateResourcePolicyCommand({ SecretId: ARN, ResourcePolicy: open }));
    assert.equal(broad.PolicyValidationPassed, false);
    assert.equal(broad.ValidationErrors?.length, 1);
    await berth.sm.send(new DeleteResourcePolicyCommand({ SecretId: ARN }));
    assert.equal((await berth.sm.send(new GetResourcePolicyCommand({ SecretId: ARN }))).ResourcePolicy, undefined);
    await rejectsWith(berth.sm.send(new GetResourcePolicyCommand({ SecretId: 'no-such' })), 'ResourceNotFoundException', NOT_FOUND);
    await berth.sm.send(new DeleteSecretCommand({ SecretId: ARN, ForceDeleteWithoutRecovery: true }));
  });

  it('GetRandomPassword honours length and the excluded character classes', async () => {
    const def = await berth.sm.send(new GetRandomPasswordCommand({}));
    assert.equal(def.RandomPassword?.length, 32);
    const p = await berth.sm.send(new GetRandomPasswordCommand({ PasswordLength: 64, ExcludePunctuation: true, ExcludeUppercase: true, ExcludeCharacters: 'abc' }));
    assert.match(p.RandomPassword!, /^[d-z0-9]{64}$/);
    assert.match(p.RandomPassword!, /[0-9]/, 'each included type appears');
    const spaced = await berth.sm.send(new GetRandomPasswordCommand({ PasswordLength: 20, IncludeSpace: true, ExcludeLowercase: true, ExcludeUppercase: true, ExcludeNumbers: true, ExcludePunctuation: true }));
    assert.equal(spaced.RandomPassword, ' '.repeat(20));
    await rejectsWith(berth.sm.send(new GetRandomPasswordCommand({ PasswordLength: 5000 })), 'ValidationException', /less than or equal to 4096/);
  });
});
