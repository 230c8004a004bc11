import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { STSClient, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { EKSClient, ListIdentityProviderConfigsCommand } from '@aws-sdk/client-eks';
import { clientConfig } from '../../helpers/berth.js';
import { useBerth } from '../../helpers/use-berth.js';
import { aws, cliAvailable, CLIS, type CliName } from '../../helpers/cli.js';

const ROOT = { Account: '000000000000', Arn: 'arn:aws:iam::000000000000:root' };
const OWN_ACCOUNT = { key: '123456789012', Account: '123456789012', Arn: 'arn:aws:iam::123456789012:root' };

describe('STS GetCallerIdentity (awsQuery)', () => {
  const berth = useBerth();

  it('the v3 SDK sees the default account and its root ARN', async () => {
    const sts = new STSClient(clientConfig(berth.endpoint));
    const out = await sts.send(new GetCallerIdentityCommand({}));
    sts.destroy();
    assert.equal(out.Account, ROOT.Account);
    assert.equal(out.Arn, ROOT.Arn);
    assert.match(out.$metadata.requestId ?? '', /\S/);
  });

  it('a 12-digit access key id is its own account', async () => {
    const sts = new STSClient(clientConfig(berth.endpoint, 'eu-west-1', { accessKeyId: OWN_ACCOUNT.key, secretAccessKey: 'x' }));
    const out = await sts.send(new GetCallerIdentityCommand({}));
    sts.destroy();
    assert.equal(out.Account, OWN_ACCOUNT.Account);
    assert.equal(out.Arn, OWN_ACCOUNT.Arn);
  });

  for (const cli of ['v2', 'v1'] as CliName[]) {
    it(`${CLIS[cli].name} prints the default account and root ARN`, { skip: !cliAvailable(cli) && `${CLIS[cli].name} not installed` }, async () => {
      const res = await aws(cli, berth.endpoint, ['sts', 'get-caller-identity']);
      assert.equal(res.code, 0, res.stderr);
      assert.equal(res.json?.Account, ROOT.Account);
      assert.equal(res.json?.Arn, ROOT.Arn);
    });

    it(`${CLIS[cli].name} with a 12-digit access key id sees that account`, { skip: !cliAvailable(cli) && `${CLIS[cli].name} not installed` }, async () => {
      const res = await aws(cli, berth.endpoint, ['sts', 'get-caller-identity'], { AWS_ACCESS_KEY_ID: OWN_ACCOUNT.key });
      assert.equal(res.code, 0, res.stderr);
      assert.equal(res.json?.Account, OWN_ACCOUNT.Account);
      assert.equal(res.json?.Arn, OWN_ACCOUNT.Arn);
    });
  }
});

describe('an operation of a served service that Berth does not implement yet (EKS ListIdentityProviderConfigs)', () => {
  const berth = useBerth();

  it('awscli v2 prints the 501 refusal naming the operation, not a parse error', { skip: !cliAvailable('v2') && 'awscli v2 not installed' }, async () => {
    const res = await aws('v2', berth.endpoint, ['eks', 'list-identity-provider-configs', '--cluster-name', 'demo']);
    assert.notEqual(res.code, 0);
    assert.match(res.stderr, /An error occurred \(InternalFailure\) when calling the ListIdentityProviderConfigs operation/);
    assert.match(res.stderr, /The operation ListIdentityProviderConfigs of service eks is not implemented in Berth yet/);
  });

  it('the v3 SDK gets the same 501', async () => {
    const eks = new EKSClient(clientConfig(berth.endpoint));
    const err = await eks.send(new ListIdentityProviderConfigsCommand({ clusterName: 'demo' })).catch((e) => e);
    eks.destroy();
    assert.equal(err.name, 'InternalFailure');
    assert.equal(err.$metadata.httpStatusCode, 501);
    assert.match(err.message, /ListIdentityProviderConfigs/);
  });
});
