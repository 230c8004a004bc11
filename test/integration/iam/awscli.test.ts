/** IAM through both AWS CLIs: they decode the URL-encoded policy documents and print IAM's error codes. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useBerth } from '../../helpers/use-berth.js';
import { aws, cliAvailable, CLIS, type CliName } from '../../helpers/cli.js';
import { ECS_TRUST } from './fixtures.js';

const INLINE = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'logs:PutLogEvents', Resource: '*' }] });

describe('IAM with the AWS CLI', () => {
  const berth = useBerth();

  for (const cli of ['v2', 'v1'] as CliName[]) {
    const role = `cli-${cli}`;
    it(`${CLIS[cli].name} creates a role, gives it policies and reads the trust policy back as JSON`, { skip: !cliAvailable(cli) && `${CLIS[cli].name} not installed` }, async () => {
      const run = (args: string[]) => aws(cli, berth.endpoint, ['iam', ...args]);
      let res = await run(['create-role', '--role-name', role, '--path', '/cli/', '--assume-role-policy-document', ECS_TRUST]);
      assert.equal(res.code, 0, res.stderr);
      assert.equal(res.json.Role.Arn, `arn:aws:iam::000000000000:role/cli/${role}`);
      res = await run(['attach-role-policy', '--role-name', role, '--policy-arn', 'arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy']);
      assert.equal(res.code, 0, res.stderr);
      res = await run(['put-role-policy', '--role-name', role, '--policy-name', 'logs', '--policy-document', INLINE]);
      assert.equal(res.code, 0, res.stderr);
      res = await run(['get-role', '--role-name', role]);
      assert.equal(res.code, 0, res.stderr);
      // The CLI decodes IAM's URL-encoded documents into JSON objects.
      assert.deepEqual(res.json.Role.AssumeRolePolicyDocument, JSON.parse(ECS_TRUST));
      res = await run(['get-role-policy', '--role-name', role, '--policy-name', 'logs']);
      assert.deepEqual(res.json.PolicyDocument, JSON.parse(INLINE));
      res = await run(['list-attached-role-policies', '--role-name', role]);
      assert.deepEqual(res.json.AttachedPolicies.map((p: { PolicyName: string }) => p.PolicyName), ['AmazonECSTaskExecutionRolePolicy']);
      res = await run(['list-roles', '--path-prefix', '/cli/']);
      assert.ok(res.json.Roles.some((r: { RoleName: string }) => r.RoleName === role));
    });

    it(`${CLIS[cli].name} prints DeleteConflict and NoSuchEntity as IAM names them`, { skip: !cliAvailable(cli) && `${CLIS[cli].name} not installed` }, async () => {
      const run = (args: string[]) => aws(cli, berth.endpoint, ['iam', ...args]);
      let res = await run(['delete-role', '--role-name', role]);
      assert.notEqual(res.code, 0);
      // awscli v2 may add "(reached max retries: 0)" after the operation name.
      assert.match(res.stderr, /An error occurred \(DeleteConflict\) when calling the DeleteRole operation( \(reached max retries: 0\))?: Cannot delete entity, must detach all policies first\./);
      res = await run(['get-role', '--role-name', `${role}-missing`]);
      assert.notEqual(res.code, 0);
      assert.match(res.stderr, new RegExp(`An error occurred \\(NoSuchEntity\\) when calling the GetRole operation( \\(reached max retries: 0\\))?: The role with name ${role}-missing cannot be found\\.`));
      res = await run(['create-role', '--role-name', 'broken', '--assume-role-policy-document', '{oops']);
      assert.match(res.stderr, /\(MalformedPolicyDocument\) when calling the CreateRole operation( \(reached max retries: 0\))?: This policy contains invalid Json/);
    });
  }
});
