/**
 * CloudFormation through awscli v2 (`deploy` waits in steps of 5 s, so one CLI keeps the file well under a minute): `aws cloudformation deploy` (a change set created, waited for and executed,
 * then the stack waited for), a second deploy with no changes, describe-stack-resources / get-template, and
 * delete-stack, with the services' own answers for what the stack made. Fake runtime.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useBerth } from '../../helpers/use-berth.js';
import { aws, cliAvailable, CLIS, type CliName } from '../../helpers/cli.js';

const TEMPLATE = `
Parameters:
  Greeting:
    Type: String
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: { Service: ecs-tasks.amazonaws.com }
            Action: sts:AssumeRole
  Param:
    Type: AWS::SSM::Parameter
    Properties:
      Type: String
      Name: !Sub /cli/\${AWS::StackName}/greeting
      Value: !Sub "\${Greeting} from \${Role}"
Outputs:
  RoleArn:
    Value: !GetAtt Role.Arn
`;

describe('CloudFormation through awscli v2', { skip: !cliAvailable('v2') && `${CLIS.v2.name} is not installed` }, () => {
  const berth = useBerth({ runtime: 'fake' });
  const cli: CliName = 'v2';
  const run = (...args: string[]) => aws(cli, berth.endpoint, args);
  const ok = async (...args: string[]) => {
    const r = await run(...args);
    assert.equal(r.code, 0, `aws ${args.join(' ')} failed: ${r.stderr}`);
    return r.json;
  };

  it('deploy makes the stack through a change set; a deploy without changes says so; delete-stack removes it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-cfn-'));
    try {
      const file = join(dir, 'template.yaml');
      writeFileSync(file, TEMPLATE);
      const stack = `cli-${cli}`;
      const denied = await run('cloudformation', 'deploy', '--template-file', file, '--stack-name', stack, '--parameter-overrides', 'Greeting=hello');
      assert.notEqual(denied.code, 0);
      assert.match(denied.stderr, /InsufficientCapabilities.*Requires capabilities : \[CAPABILITY_IAM\]/s);
      const first = await run('cloudformation', 'deploy', '--template-file', file, '--stack-name', stack, '--capabilities', 'CAPABILITY_IAM',
        '--parameter-overrides', 'Greeting=hello');
      assert.equal(first.code, 0, first.stderr);
      assert.match(first.stdout, /Successfully created\/updated stack - cli-/);
      const described = (await ok('cloudformation', 'describe-stacks', '--stack-name', stack)).Stacks[0];
      assert.equal(described.StackStatus, 'CREATE_COMPLETE');
      const roleArn = described.Outputs.find((o: any) => o.OutputKey === 'RoleArn').OutputValue;
      assert.match(roleArn, new RegExp(`^arn:aws:iam::000000000000:role/${stack}-Role-[A-Z0-9]{12}$`));
      const value = (await ok('ssm', 'get-parameter', '--name', `/cli/${stack}/greeting`)).Parameter.Value;
      assert.equal(value, `hello from ${roleArn.split('/').pop()}`);

      const again = await run('cloudformation', 'deploy', '--template-file', file, '--stack-name', stack, '--capabilities', 'CAPABILITY_IAM',
        '--parameter-overrides', 'Greeting=hello', '--no-fail-on-empty-changeset');
      assert.equal(again.code, 0, again.stderr);
      assert.match(again.stdout + again.stderr, /No changes to deploy/);

      const resources = (await ok('cloudformation', 'describe-stack-resources', '--stack-name', stack)).StackResources;
      assert.deepEqual(resources.map((r: any) => `${r.LogicalResourceId} ${r.ResourceType} ${r.ResourceStatus}`).sort(), [
        'Param AWS::SSM::Parameter CREATE_COMPLETE', 'Role AWS::IAM::Role CREATE_COMPLETE',
      ]);
      const template = await ok('cloudformation', 'get-template', '--stack-name', stack);
      assert.equal(template.TemplateBody, TEMPLATE);

      const missing = await run('cloudformation', 'describe-stacks', '--stack-name', `nope-${cli}`);
      assert.notEqual(missing.code, 0);
      assert.match(missing.stderr, new RegExp(`\\(ValidationError\\).*Stack with id nope-${cli} does not exist`));

      await ok('cloudformation', 'delete-stack', '--stack-name', stack);
      let status = '';
      for (let n = 0; n < 100 && status !== 'DELETE_COMPLETE'; n++) {
        const page = await ok('cloudformation', 'list-stacks', '--stack-status-filter', 'DELETE_COMPLETE');
        status = page.StackSummaries.some((s: any) => s.StackName === stack) ? 'DELETE_COMPLETE' : '';
        if (!status) await new Promise((r) => setTimeout(r, 200));
      }
      assert.equal(status, 'DELETE_COMPLETE');
      const role = await run('iam', 'get-role', '--role-name', roleArn.split('/').pop());
      assert.match(role.stderr, /NoSuchEntity/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
