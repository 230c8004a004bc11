/**
 * SSM public parameters (`/aws/service/…`) through the v3 SDK and both AWS CLIs: the ECS-optimized and Amazon Linux
 * AMI ids CDK and Terraform look up, which EC2's DescribeImages knows, and the global-infrastructure region list.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DescribeImagesCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  DeleteParameterCommand,
  GetParameterCommand,
  GetParametersByPathCommand,
  GetParametersCommand,
  PutParameterCommand,
  SSMClient,
  type Parameter,
} from '@aws-sdk/client-ssm';
import { rejectsNamed } from '../../helpers/aws-errors.js';
import { aws, CLIS, cliAvailable, type CliName } from '../../helpers/cli.js';
import { useBerth } from '../../helpers/use-berth.js';

const ECS_AL2023 = '/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended';

describe('SSM public parameters', () => {
  const berth = useBerth({ runtime: 'fake', clients: { ssm: SSMClient, ec2: EC2Client } });
  const byPath = async (Path: string, Recursive: boolean) => {
    const all: Parameter[] = [];
    let NextToken: string | undefined;
    do {
      const page = await berth.ssm.send(new GetParametersByPathCommand({ Path, Recursive, NextToken }));
      all.push(...page.Parameters!);
      NextToken = page.NextToken;
    } while (NextToken);
    return all;
  };

  it('the ECS-optimized AL2023 recommended parameter is a JSON description of an image EC2 knows', async () => {
    const { Parameter } = await berth.ssm.send(new GetParameterCommand({ Name: ECS_AL2023 }));
    assert.equal(Parameter?.Type, 'String');
    assert.equal(Parameter?.DataType, 'text');
    assert.equal(Parameter?.Version, 1);
    assert.equal(Parameter?.ARN, `arn:aws:ssm:us-east-1::parameter${ECS_AL2023}`);
    const value = JSON.parse(Parameter!.Value!);
    assert.equal(value.schema_version, 1);
    assert.equal(value.os, 'Amazon Linux 2023');
    assert.match(value.image_id, /^ami-0[0-9a-f]{16}$/);
    assert.match(value.image_name, /^al2023-ami-ecs-hvm-.*-x86_64$/);
    assert.match(value.ecs_agent_version, /^\d+\.\d+\.\d+$/);
    assert.match(value.ecs_runtime_version, /^Docker version /);

    const sub = await berth.ssm.send(new GetParameterCommand({ Name: `${ECS_AL2023}/image_id` }));
    assert.equal(sub.Parameter?.Value, value.image_id);

    const { Images } = await berth.ec2.send(new DescribeImagesCommand({ ImageIds: [value.image_id] }));
    assert.equal(Images?.length, 1);
    assert.equal(Images?.[0].Name, value.image_name);
    assert.equal(Images?.[0].State, 'available');
    assert.equal(Images?.[0].Architecture, 'x86_64');
    assert.equal(Images?.[0].ImageOwnerAlias, 'amazon');
  });

  it('AL2, arm64 and GPU variants name distinct images of their architecture', async () => {
    const names = ['amazon-linux-2', 'amazon-linux-2023/arm64', 'amazon-linux-2/gpu', 'amazon-linux-2/arm64']
      .map((v) => `/aws/service/ecs/optimized-ami/${v}/recommended/image_id`);
    const { Parameters, InvalidParameters } = await berth.ssm.send(new GetParametersCommand({ Names: names }));
    assert.deepEqual(InvalidParameters, []);
    const ids = Parameters!.map((p) => p.Value!);
    assert.equal(new Set(ids).size, 4);
    const { Images } = await berth.ec2.send(new DescribeImagesCommand({ ImageIds: ids }));
    const arch = new Map(Images!.map((i) => [i.ImageId, i.Architecture]));
    assert.equal(arch.get(Parameters!.find((p) => p.Name!.includes('2023/arm64'))!.Value), 'arm64');
    assert.equal(arch.get(Parameters!.find((p) => p.Name!.includes('2/gpu'))!.Value), 'x86_64');
  });

  it('ami-amazon-linux-latest ids are stable per region and differ between regions', async () => {
    const name = '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64';
    const a = await berth.ssm.send(new GetParameterCommand({ Name: name }));
    const again = await berth.ssm.send(new GetParameterCommand({ Name: name }));
    assert.equal(a.Parameter?.Value, again.Parameter?.Value);
    const west = berth.client(SSMClient, { region: 'eu-west-1' });
    const w = await west.send(new GetParameterCommand({ Name: name }));
    assert.notEqual(w.Parameter?.Value, a.Parameter?.Value);
    assert.equal(w.Parameter?.ARN, `arn:aws:ssm:eu-west-1::parameter${name}`);
    // The ARN as AWS gives it reads the parameter too.
    const byArn = await berth.ssm.send(new GetParameterCommand({ Name: a.Parameter!.ARN! }));
    assert.equal(byArn.Parameter?.Value, a.Parameter?.Value);
  });

  it('GetParametersByPath lists the Amazon Linux AMIs and, recursively, ECS variants', async () => {
    const first = await berth.ssm.send(new GetParametersByPathCommand({ Path: '/aws/service/ami-amazon-linux-latest' }));
    assert.equal(first.Parameters?.length, 10);
    assert.ok(first.NextToken);
    const latest = await byPath('/aws/service/ami-amazon-linux-latest', false);
    assert.ok(latest.some((p) => p.Name === '/aws/service/ami-amazon-linux-latest/amzn2-ami-hvm-x86_64-gp2'));
    const all = await byPath('/aws/service/ecs', true);
    assert.ok(all.some((p) => p.Name === ECS_AL2023));
    assert.ok(all.some((p) => p.Name === '/aws/service/ecs/optimized-ami/amazon-linux-2/gpu/recommended/image_id'));
  });

  it('global-infrastructure/regions lists regions one level down, with long names below', async () => {
    const regions = await byPath('/aws/service/global-infrastructure/regions', false);
    const r = regions.find((p) => p.Name === '/aws/service/global-infrastructure/regions/eu-west-1');
    assert.equal(r?.Value, 'eu-west-1');
    assert.ok(regions.every((p) => p.Name!.split('/').length === 6));
    const long = await berth.ssm.send(new GetParameterCommand({ Name: '/aws/service/global-infrastructure/regions/us-east-1/longName' }));
    assert.equal(long.Parameter?.Value, 'US East (N. Virginia)');
  });

  it('public parameters are read-only: PutParameter and DeleteParameter are denied', async () => {
    await rejectsNamed(
      berth.ssm.send(new PutParameterCommand({ Name: ECS_AL2023, Value: 'x', Type: 'String', Overwrite: true })),
      'AccessDeniedException', `No access to reserved parameter name: ${ECS_AL2023}.`, 400,
    );
    await rejectsNamed(berth.ssm.send(new DeleteParameterCommand({ Name: ECS_AL2023 })), 'AccessDeniedException', `No access to reserved parameter name: ${ECS_AL2023}.`);
    await rejectsNamed(berth.ssm.send(new GetParameterCommand({ Name: '/aws/service/nope' })), 'ParameterNotFound');
  });

  it('DescribeImages filters Amazon images by owner alias, name and architecture', async () => {
    const { Images } = await berth.ec2.send(new DescribeImagesCommand({
      Owners: ['amazon'],
      Filters: [{ Name: 'name', Values: ['al2023-ami-2023.*-x86_64'] }, { Name: 'architecture', Values: ['x86_64'] }],
    }));
    assert.equal(Images?.length, 1);
    const latest = await berth.ssm.send(new GetParameterCommand({ Name: '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64' }));
    assert.equal(Images?.[0].ImageId, latest.Parameter?.Value);
    const mine = await berth.ec2.send(new DescribeImagesCommand({ Owners: ['self'] }));
    assert.deepEqual(mine.Images, []);
    await rejectsNamed(berth.ec2.send(new DescribeImagesCommand({ ImageIds: ['ami-0123456789abcdef0'] })), 'InvalidAMIID.NotFound');
  });
});

for (const name of ['v2', 'v1'] as CliName[]) {
  describe(`public parameters through ${CLIS[name].name}`, { skip: !cliAvailable(name) && `${CLIS[name].name} is not installed` }, () => {
    const berth = useBerth({ runtime: 'fake' });

    it('get-parameters reads the ECS AMI and describe-images finds it', async () => {
      const r = await aws(name, berth.endpoint, ['ssm', 'get-parameters', '--names', `${ECS_AL2023}/image_id`]);
      assert.equal(r.code, 0, r.stderr);
      const id = r.json.Parameters[0].Value;
      assert.match(id, /^ami-0[0-9a-f]{16}$/);
      const img = await aws(name, berth.endpoint, ['ec2', 'describe-images', '--image-ids', id]);
      assert.equal(img.code, 0, img.stderr);
      assert.equal(img.json.Images[0].ImageId, id);
    });

    it('get-parameters-by-path --recursive lists the Amazon Linux AMIs', async () => {
      const r = await aws(name, berth.endpoint, ['ssm', 'get-parameters-by-path', '--path', '/aws/service/ami-amazon-linux-latest', '--recursive']);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(r.json.Parameters.some((p: Parameter) => p.Name === '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64'));
    });

    it('put-parameter under /aws/ is AccessDeniedException', async () => {
      const r = await aws(name, berth.endpoint, ['ssm', 'put-parameter', '--name', '/aws/service/mine', '--value', 'x', '--type', 'String']);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /AccessDeniedException.*No access to reserved parameter name: \/aws\/service\/mine\./);
    });
  });
}
