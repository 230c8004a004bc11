/** Secrets Manager: ListSecrets filters and pages, and a deleted secret disappearing when its window ends. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  ListSecretsCommand,
  SecretsManagerClient,
  paginateListSecrets,
  type ListSecretsCommandInput,
} from '@aws-sdk/client-secrets-manager';
import { startApp, type App } from '../../../src/app.js';
import { resolveConfig } from '../../../src/config/index.js';
import { ManualClock } from '../../../src/shared/clock.js';
import { createLogger } from '../../../src/shared/logger.js';
import { clientConfig } from '../../helpers/berth.js';

describe('Secrets Manager listing and the deletion window', () => {
  let app: App;
  let sm: SecretsManagerClient;
  const clock = new ManualClock(Date.now());
  const names = async (input: ListSecretsCommandInput) =>
    (await sm.send(new ListSecretsCommand(input))).SecretList!.map((s) => s.Name);

  before(async () => {
    // A hand-moved clock lets the test step past a recovery window.
    app = await startApp(resolveConfig({ port: 0, ephemeral: true, logLevel: 'error', runtime: 'fake' }), { clock, log: createLogger('error') });
    sm = new SecretsManagerClient(clientConfig(app.endpoint));
    const make = async (Name: string, Description?: string, Tags?: { Key: string; Value: string }[]) => {
      await sm.send(new CreateSecretCommand({ Name, SecretString: 'v', Description, Tags }));
      clock.advance(1000);
    };
    await make('prod/db', 'Main Database', [{ Key: 'env', Value: 'prod' }]);
    await make('prod/api-key', 'partner API', [{ Key: 'env', Value: 'prod' }, { Key: 'owner', Value: 'payments' }]);
    await make('dev/db', 'dev database', [{ Key: 'env', Value: 'dev' }]);
    await make('other');
    for (let i = 0; i < 12; i++) await make(`bulk/${i}`);
  });
  after(async () => {
    sm.destroy();
    await app.stop();
  });

  it('ListSecrets returns every secret with its metadata and stages', async () => {
    const out = await sm.send(new ListSecretsCommand({}));
    assert.equal(out.SecretList?.length, 16);
    const db = out.SecretList!.find((s) => s.Name === 'prod/db')!;
    assert.equal(db.Description, 'Main Database');
    assert.deepEqual(db.Tags, [{ Key: 'env', Value: 'prod' }]);
    assert.deepEqual(Object.values(db.SecretVersionsToStages!), [['AWSCURRENT']]);
    assert.match(db.ARN!, /:secret:prod\/db-[A-Za-z0-9]{6}$/);
  });

  it('ListSecrets filters by name prefix, description, tag key and value, negation and all', async () => {
    assert.deepEqual(await names({ Filters: [{ Key: 'name', Values: ['prod/'] }] }), ['prod/db', 'prod/api-key']);
    assert.deepEqual(await names({ Filters: [{ Key: 'name', Values: ['Prod/'] }] }), [], 'name matching is case-sensitive');
    assert.deepEqual(await names({ Filters: [{ Key: 'description', Values: ['main'] }] }), ['prod/db'], 'description matching ignores case');
    assert.deepEqual(await names({ Filters: [{ Key: 'tag-key', Values: ['owner'] }] }), ['prod/api-key']);
    assert.deepEqual(await names({ Filters: [{ Key: 'tag-value', Values: ['dev'] }] }), ['dev/db']);
    assert.deepEqual(await names({ Filters: [{ Key: 'tag-key', Values: ['env'] }, { Key: 'tag-value', Values: ['!prod'] }] }), ['dev/db']);
    assert.deepEqual(await names({ Filters: [{ Key: 'all', Values: ['database'] }] }), ['prod/db', 'dev/db']);
    await assert.rejects(sm.send(new ListSecretsCommand({ Filters: [{ Key: 'color' as never, Values: ['x'] }] })), /ValidationException|Member must satisfy enum value set/);
  });

  it('ListSecrets pages with MaxResults and NextToken and sorts by name on request', async () => {
    const first = await sm.send(new ListSecretsCommand({ MaxResults: 5 }));
    assert.equal(first.SecretList?.length, 5);
    assert.ok(first.NextToken);
    const seen: string[] = [];
    for await (const page of paginateListSecrets({ client: sm, pageSize: 3 }, {})) seen.push(...page.SecretList!.map((s) => s.Name!));
    assert.equal(seen.length, 16);
    assert.equal(new Set(seen).size, 16);
    const sorted = await names({ SortBy: 'name', SortOrder: 'desc', Filters: [{ Key: 'name', Values: ['prod', 'dev'] }] });
    assert.deepEqual(sorted, ['prod/db', 'prod/api-key', 'dev/db']);
  });

  it('a secret scheduled for deletion is listed only with IncludePlannedDeletion', async () => {
    await sm.send(new DeleteSecretCommand({ SecretId: 'other', RecoveryWindowInDays: 7 }));
    assert.ok(!(await names({})).includes('other'));
    const withDeleted = await sm.send(new ListSecretsCommand({ IncludePlannedDeletion: true, Filters: [{ Key: 'name', Values: ['other'] }] }));
    assert.equal(withDeleted.SecretList?.[0].Name, 'other');
    assert.ok(withDeleted.SecretList?.[0].DeletedDate instanceof Date);
  });

  it('once the recovery window has passed the secret is gone and its name can be reused', async () => {
    clock.advance(6 * 86_400_000);
    assert.ok((await sm.send(new DescribeSecretCommand({ SecretId: 'other' }))).DeletedDate, 'still recoverable on day 6');
    clock.advance(86_400_000 + 1000);
    await assert.rejects(sm.send(new DescribeSecretCommand({ SecretId: 'other' })), /ResourceNotFoundException|can't find the specified secret/);
    await sm.send(new CreateSecretCommand({ Name: 'other', SecretString: 'new' }));
  });
});
