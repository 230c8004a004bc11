/** Secrets Manager through both AWS CLIs: what `aws secretsmanager …` users type. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { aws, CLIS, cliAvailable, type CliName } from '../../helpers/cli.js';
import { useBerth } from '../../helpers/use-berth.js';

for (const name of ['v2', 'v1'] as CliName[]) {
  describe(`aws secretsmanager through ${CLIS[name].name}`, { skip: !cliAvailable(name) && `${CLIS[name].name} is not installed` }, () => {
    const berth = useBerth({ runtime: 'fake' });
    const S = `cli-${name}/db`;
    const run = async (args: string[]) => {
      const r = await aws(name, berth.endpoint, ['secretsmanager', ...args]);
      assert.equal(r.code, 0, `aws secretsmanager ${args.join(' ')}: ${r.stderr}`);
      return r.json;
    };

    it('create-secret and get-secret-value round-trip a JSON secret', async () => {
      const created = await run(['create-secret', '--name', S, '--secret-string', '{"password":"pw1"}', '--tags', 'Key=env,Value=test']);
      assert.match(created.ARN, new RegExp(`:secret:cli-${name}/db-[A-Za-z0-9]{6}$`));
      const got = await run(['get-secret-value', '--secret-id', created.ARN]);
      assert.equal(got.SecretString, '{"password":"pw1"}');
      assert.deepEqual(got.VersionStages, ['AWSCURRENT']);
    });

    it('put-secret-value makes the old value AWSPREVIOUS', async () => {
      await run(['put-secret-value', '--secret-id', S, '--secret-string', '{"password":"pw2"}']);
      const prev = await run(['get-secret-value', '--secret-id', S, '--version-stage', 'AWSPREVIOUS']);
      assert.equal(prev.SecretString, '{"password":"pw1"}');
    });

    it('describe-secret and list-secrets show the secret', async () => {
      const d = await run(['describe-secret', '--secret-id', S]);
      assert.equal(d.Name, S);
      assert.deepEqual(d.Tags, [{ Key: 'env', Value: 'test' }]);
      const l = await run(['list-secrets', '--filters', `Key=name,Values=cli-${name}`]);
      assert.deepEqual(l.SecretList.map((s: { Name: string }) => s.Name), [S]);
    });

    it('delete-secret schedules deletion, reading then fails, restore-secret brings it back', async () => {
      const del = await run(['delete-secret', '--secret-id', S, '--recovery-window-in-days', '7']);
      assert.ok(del.DeletionDate);
      const r = await aws(name, berth.endpoint, ['secretsmanager', 'get-secret-value', '--secret-id', S]);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /InvalidRequestException.*marked for deletion/);
      await run(['restore-secret', '--secret-id', S]);
      assert.equal((await run(['get-secret-value', '--secret-id', S])).SecretString, '{"password":"pw2"}');
    });

    it('get-random-password returns the requested length', async () => {
      const out = await run(['get-random-password', '--password-length', '24', '--exclude-punctuation']);
      assert.match(out.RandomPassword, /^[A-Za-z0-9]{24}$/);
    });

    it('get-secret-value on a missing secret exits non-zero with ResourceNotFoundException', async () => {
      const r = await aws(name, berth.endpoint, ['secretsmanager', 'get-secret-value', '--secret-id', 'nope']);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /ResourceNotFoundException.*Secrets Manager can't find the specified secret/);
    });
  });
}
