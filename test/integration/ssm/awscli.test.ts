/** SSM Parameter Store through both AWS CLIs: what `aws ssm …` users type. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { aws, CLIS, cliAvailable, type CliName } from '../../helpers/cli.js';
import { useBerth } from '../../helpers/use-berth.js';

for (const name of ['v2', 'v1'] as CliName[]) {
  describe(`aws ssm through ${CLIS[name].name}`, { skip: !cliAvailable(name) && `${CLIS[name].name} is not installed` }, () => {
    const berth = useBerth({ runtime: 'fake' });
    const P = `/cli/${name}`;
    const run = async (args: string[]) => {
      const r = await aws(name, berth.endpoint, ['ssm', ...args]);
      assert.equal(r.code, 0, `aws ssm ${args.join(' ')}: ${r.stderr}`);
      return r.json;
    };

    it('put-parameter and get-parameter --with-decryption round-trip a SecureString', async () => {
      const put = await run(['put-parameter', '--name', `${P}/db/password`, '--value', 'hunter2', '--type', 'SecureString']);
      assert.equal(put.Version, 1);
      const enc = await run(['get-parameter', '--name', `${P}/db/password`]);
      assert.notEqual(enc.Parameter.Value, 'hunter2');
      const dec = await run(['get-parameter', '--name', `${P}/db/password`, '--with-decryption']);
      assert.equal(dec.Parameter.Value, 'hunter2');
      assert.equal(dec.Parameter.ARN, `arn:aws:ssm:us-east-1:000000000000:parameter/cli/${name}/db/password`);
    });

    it('put-parameter --overwrite adds a version and get-parameters-by-path --recursive finds it', async () => {
      await run(['put-parameter', '--name', `${P}/db/host`, '--value', 'a', '--type', 'String']);
      const v2 = await run(['put-parameter', '--name', `${P}/db/host`, '--value', 'b', '--overwrite']);
      assert.equal(v2.Version, 2);
      const out = await run(['get-parameters-by-path', '--path', P, '--recursive', '--with-decryption']);
      assert.deepEqual(out.Parameters.map((p: { Name: string; Value: string }) => [p.Name, p.Value]), [[`${P}/db/host`, 'b'], [`${P}/db/password`, 'hunter2']]);
    });

    it('describe-parameters and get-parameter-history show metadata and versions', async () => {
      const desc = await run(['describe-parameters', '--parameter-filters', `Key=Name,Option=BeginsWith,Values=${P}/db/h`]);
      assert.deepEqual(desc.Parameters.map((p: { Name: string; Version: number }) => [p.Name, p.Version]), [[`${P}/db/host`, 2]]);
      const hist = await run(['get-parameter-history', '--name', `${P}/db/host`]);
      assert.deepEqual(hist.Parameters.map((p: { Value: string }) => p.Value), ['a', 'b']);
    });

    it('get-parameter on a missing name exits non-zero with ParameterNotFound', async () => {
      const r = await aws(name, berth.endpoint, ['ssm', 'get-parameter', '--name', `${P}/missing`]);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /ParameterNotFound/);
    });

    it('delete-parameter removes it', async () => {
      await run(['delete-parameter', '--name', `${P}/db/host`]);
      const out = await run(['get-parameters', '--names', `${P}/db/host`, `${P}/db/password`]);
      assert.deepEqual(out.InvalidParameters, [`${P}/db/host`]);
      assert.equal(out.Parameters.length, 1);
    });
  });
}
