/** STS AssumeRole and GetSessionToken: temporary keys that Berth then takes for their principal. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AssumeRoleCommand, GetCallerIdentityCommand, GetSessionTokenCommand, STSClient } from '@aws-sdk/client-sts';
import { CreateRoleCommand, GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { startApp, type App } from '../../../src/app.js';
import { resolveConfig } from '../../../src/config/index.js';
import { ManualClock } from '../../../src/shared/clock.js';
import { createLogger } from '../../../src/shared/logger.js';
import { clientConfig } from '../../helpers/berth.js';
import { aws, cliAvailable, CLIS, type CliName } from '../../helpers/cli.js';
import { ACCOUNT_TRUST } from '../iam/fixtures.js';

const ROLE_ARN = 'arn:aws:iam::000000000000:role/deploy/deployer';

describe('STS AssumeRole', () => {
  let app: App;
  let clock: ManualClock;
  let sts: STSClient;
  let roleId: string;
  const asSession = (c: { AccessKeyId?: string; SecretAccessKey?: string; SessionToken?: string }) =>
    clientConfig(app.endpoint, 'us-east-1', { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! } as never);

  before(async () => {
    clock = new ManualClock(Date.now());
    app = await startApp(resolveConfig({ port: 0, ephemeral: true, logLevel: 'error', runtime: 'fake' }), { clock, log: createLogger('error') });
    sts = new STSClient(clientConfig(app.endpoint));
    const iam = new IAMClient(clientConfig(app.endpoint));
    const { Role } = await iam.send(new CreateRoleCommand({ RoleName: 'deployer', Path: '/deploy/', AssumeRolePolicyDocument: ACCOUNT_TRUST, MaxSessionDuration: 7200 }));
    roleId = Role!.RoleId!;
    iam.destroy();
  });
  after(async () => {
    sts.destroy();
    await app.stop();
  });

  it('AssumeRole of an existing role returns ASIA keys, a session token and the assumed-role user', async () => {
    const out = await sts.send(new AssumeRoleCommand({ RoleArn: ROLE_ARN, RoleSessionName: 'ci-run' }));
    const c = out.Credentials!;
    assert.match(c.AccessKeyId!, /^ASIA[A-Z2-7]{16}$/);
    assert.equal(c.SecretAccessKey!.length, 40);
    assert.ok(c.SessionToken!.length > 100);
    assert.equal(c.Expiration!.getTime(), Math.floor((clock.now() + 3600_000) / 1000) * 1000);
    // The role's path is not part of the assumed-role ARN.
    assert.equal(out.AssumedRoleUser!.Arn, 'arn:aws:sts::000000000000:assumed-role/deployer/ci-run');
    assert.equal(out.AssumedRoleUser!.AssumedRoleId, `${roleId}:ci-run`);
  });

  it('a request signed with the temporary keys is the assumed role: GetCallerIdentity shows it', async () => {
    const { Credentials } = await sts.send(new AssumeRoleCommand({ RoleArn: ROLE_ARN, RoleSessionName: 'whoami' }));
    const session = new STSClient(asSession(Credentials!));
    const me = await session.send(new GetCallerIdentityCommand({}));
    session.destroy();
    assert.equal(me.Arn, 'arn:aws:sts::000000000000:assumed-role/deployer/whoami');
    assert.equal(me.UserId, `${roleId}:whoami`);
    assert.equal(me.Account, '000000000000');
  });

  it('assuming a role records its last use on the role', async () => {
    const iam = new IAMClient(clientConfig(app.endpoint));
    const { Role } = await iam.send(new GetRoleCommand({ RoleName: 'deployer' }));
    iam.destroy();
    assert.equal(Role!.RoleLastUsed?.Region, 'us-east-1');
    assert.ok(Role!.RoleLastUsed?.LastUsedDate instanceof Date);
  });

  it('a role of another account gives a session in that account', async () => {
    const other = clientConfig(app.endpoint, 'us-east-1', { accessKeyId: '111122223333', secretAccessKey: 'x' });
    const iam = new IAMClient(other);
    await iam.send(new CreateRoleCommand({ RoleName: 'shared', AssumeRolePolicyDocument: ACCOUNT_TRUST }));
    iam.destroy();
    const { Credentials } = await sts.send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::111122223333:role/shared', RoleSessionName: 'cross' }));
    const session = new STSClient(asSession(Credentials!));
    const me = await session.send(new GetCallerIdentityCommand({}));
    session.destroy();
    assert.equal(me.Account, '111122223333');
    assert.equal(me.Arn, 'arn:aws:sts::111122223333:assumed-role/shared/cross');
  });

  it('a role that does not exist is AccessDenied (403) in STS\'s words', async () => {
    const err = await sts.send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::000000000000:role/ghost', RoleSessionName: 's1' })).catch((e) => e);
    assert.equal(err.name, 'AccessDenied');
    assert.equal(err.$metadata.httpStatusCode, 403);
    assert.equal(err.message, 'User: arn:aws:iam::000000000000:root is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::000000000000:role/ghost');
  });

  it('session names, durations and the role\'s MaxSessionDuration are validated', async () => {
    const assume = (input: object) => sts.send(new AssumeRoleCommand({ RoleArn: ROLE_ARN, RoleSessionName: 'ok', ...input })).catch((e) => e);
    let err = await assume({ RoleSessionName: 'has space' });
    assert.equal(err.name, 'ValidationError');
    assert.match(err.message, /Value 'has space' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern/);
    err = await assume({ DurationSeconds: 600 });
    assert.match(err.message, /Value '600' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900/);
    err = await assume({ DurationSeconds: 10800 });
    assert.equal(err.message, 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
    const ok = await assume({ DurationSeconds: 7200 });
    assert.equal(ok.Credentials.Expiration.getTime(), Math.floor((clock.now() + 7200_000) / 1000) * 1000);
  });

  it('a role session assuming a role again (role chaining) is limited to one hour', async () => {
    const { Credentials } = await sts.send(new AssumeRoleCommand({ RoleArn: ROLE_ARN, RoleSessionName: 'first' }));
    const session = new STSClient(asSession(Credentials!));
    const err = await session.send(new AssumeRoleCommand({ RoleArn: ROLE_ARN, RoleSessionName: 'second', DurationSeconds: 7200 })).catch((e) => e);
    assert.equal(err.message, 'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.');
    const chained = await session.send(new AssumeRoleCommand({ RoleArn: ROLE_ARN, RoleSessionName: 'second' }));
    session.destroy();
    assert.equal(chained.AssumedRoleUser!.Arn, 'arn:aws:sts::000000000000:assumed-role/deployer/second');
  });

  it('GetSessionToken gives the root a one-hour session that is still the root, and refuses session credentials', async () => {
    const { Credentials } = await sts.send(new GetSessionTokenCommand({ DurationSeconds: 7200 }));
    assert.match(Credentials!.AccessKeyId!, /^ASIA/);
    assert.equal(Credentials!.Expiration!.getTime(), Math.floor((clock.now() + 3600_000) / 1000) * 1000);
    const session = new STSClient(asSession(Credentials!));
    assert.equal((await session.send(new GetCallerIdentityCommand({}))).Arn, 'arn:aws:iam::000000000000:root');
    const err = await session.send(new GetSessionTokenCommand({})).catch((e) => e);
    session.destroy();
    assert.equal(err.name, 'AccessDenied');
    assert.equal(err.message, 'Cannot call GetSessionToken with session credentials');
  });

  it('temporary keys past their expiration are refused with ExpiredTokenException', async () => {
    const { Credentials } = await sts.send(new AssumeRoleCommand({ RoleArn: ROLE_ARN, RoleSessionName: 'short', DurationSeconds: 900 }));
    const session = new STSClient(asSession(Credentials!));
    clock.advance(901_000);
    const err = await session.send(new GetCallerIdentityCommand({})).catch((e) => e);
    session.destroy();
    assert.equal(err.name, 'ExpiredTokenException');
    assert.equal(err.message, 'The security token included in the request is expired');
  });

  for (const cli of ['v2', 'v1'] as CliName[]) {
    it(`${CLIS[cli].name} assumes a role and, with the keys it printed, is that role`, { skip: !cliAvailable(cli) && `${CLIS[cli].name} not installed` }, async () => {
      const res = await aws(cli, app.endpoint, ['sts', 'assume-role', '--role-arn', ROLE_ARN, '--role-session-name', `cli-${cli}`]);
      assert.equal(res.code, 0, res.stderr);
      const c = res.json.Credentials;
      assert.match(c.AccessKeyId, /^ASIA/);
      const me = await aws(cli, app.endpoint, ['sts', 'get-caller-identity'], {
        AWS_ACCESS_KEY_ID: c.AccessKeyId, AWS_SECRET_ACCESS_KEY: c.SecretAccessKey, AWS_SESSION_TOKEN: c.SessionToken,
      });
      assert.equal(me.code, 0, me.stderr);
      assert.equal(me.json.Arn, `arn:aws:sts::000000000000:assumed-role/deployer/cli-${cli}`);
      const missing = await aws(cli, app.endpoint, ['sts', 'assume-role', '--role-arn', 'arn:aws:iam::000000000000:role/ghost', '--role-session-name', 'x1']);
      assert.match(missing.stderr, /An error occurred \(AccessDenied\) when calling the AssumeRole operation( \(reached max retries: 0\))?: User: arn:aws:iam::000000000000:root is not authorized/);
    });
  }
});
