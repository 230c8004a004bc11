import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ECSClient, CreateClusterCommand, PutAttributesCommand, ListAttributesCommand, DeleteAttributesCommand,
  ClusterNotFoundException, InvalidParameterException, TargetNotFoundException, paginateListAttributes, type Attribute,
} from '@aws-sdk/client-ecs';
import { useBerth } from '../../helpers/use-berth.js';
import { rejectsAs as rejects } from '../../helpers/aws-errors.js';

const INSTANCE_ARN = 'arn:aws:ecs:us-east-1:000000000000:container-instance/attrs/0123456789abcdef0123456789abcdef';

describe('ECS attributes through the v3 SDK (no container instances exist yet)', () => {
  const berth = useBerth({ clients: { ecs: ECSClient } });
  before(async () => {
    await berth.ecs.send(new CreateClusterCommand({ clusterName: 'attrs' }));
  });

  it('ListAttributes on a cluster without container instances returns no attributes', async () => {
    const out = await berth.ecs.send(new ListAttributesCommand({ cluster: 'attrs', targetType: 'container-instance' }));
    assert.deepEqual(out.attributes, []);
    assert.equal(out.nextToken, undefined);
    const pages: Attribute[] = [];
    for await (const page of paginateListAttributes({ client: berth.ecs, pageSize: 5 }, { cluster: 'attrs', targetType: 'container-instance', attributeName: 'stack' })) {
      pages.push(...(page.attributes ?? []));
    }
    assert.deepEqual(pages, []);
  });

  it('ListAttributes requires a valid targetType, a name with a value filter, and an existing cluster', async () => {
    await rejects(berth.ecs.send(new ListAttributesCommand({ cluster: 'attrs', targetType: 'task' as 'container-instance' })), InvalidParameterException, /Invalid targetType/);
    await rejects(berth.ecs.send(new ListAttributesCommand({ cluster: 'attrs', targetType: undefined as unknown as 'container-instance' })),
      InvalidParameterException, /Value null at 'targetType' failed to satisfy constraint: Member must not be null/);
    await rejects(berth.ecs.send(new ListAttributesCommand({ cluster: 'attrs', targetType: 'container-instance', attributeValue: 'x' })),
      InvalidParameterException, /attribute name/);
    await rejects(berth.ecs.send(new ListAttributesCommand({ cluster: 'ghost', targetType: 'container-instance' })), ClusterNotFoundException, 'Cluster not found.');
    await rejects(berth.ecs.send(new ListAttributesCommand({ cluster: 'attrs', targetType: 'container-instance', maxResults: 101 })), InvalidParameterException, /maxResults/);
  });

  it('PutAttributes on an unknown container instance is TargetNotFoundException', async () => {
    await rejects(berth.ecs.send(new PutAttributesCommand({ cluster: 'attrs', attributes: [{ name: 'stack', value: 'prod', targetId: INSTANCE_ARN }] })),
      TargetNotFoundException, /The specified target wasn't found/);
    await rejects(berth.ecs.send(new PutAttributesCommand({ cluster: 'attrs', attributes: [{ name: 'stack', value: 'prod', targetType: 'container-instance', targetId: '0123456789abcdef' }] })),
      TargetNotFoundException, /ListContainerInstances/);
  });

  it('PutAttributes validates names, values, targets and batch size before looking the target up', async () => {
    const put = (attributes: Attribute[], cluster = 'attrs') => berth.ecs.send(new PutAttributesCommand({ cluster, attributes }));
    await rejects(put([{ name: 'bad name!', value: 'v', targetId: INSTANCE_ARN }]), InvalidParameterException, /Invalid attribute name/);
    await rejects(put([{ name: 'n'.repeat(129), value: 'v', targetId: INSTANCE_ARN }]), InvalidParameterException, /Invalid attribute name/);
    await rejects(put([{ name: 'stack', value: ' prod', targetId: INSTANCE_ARN }]), InvalidParameterException, /Invalid attribute value/);
    await rejects(put([{ name: 'stack', value: 'a#b', targetId: INSTANCE_ARN }]), InvalidParameterException, /Invalid attribute value/);
    await rejects(put([{ name: 'stack', value: 'prod' }]), InvalidParameterException, /targetId is required/);
    await rejects(put([{ name: 'stack', value: 'prod', targetId: 'abc' }]), InvalidParameterException, /targetType is required/);
    await rejects(put(Array.from({ length: 11 }, (_, i) => ({ name: `a${i}`, value: 'v', targetId: INSTANCE_ARN }))), InvalidParameterException, /up to 10 attributes/);
    await rejects(put([]), InvalidParameterException, /At least one attribute/);
    await rejects(put([{ name: 'stack', value: 'prod', targetId: INSTANCE_ARN }], 'ghost'), ClusterNotFoundException, 'Cluster not found.');
  });

  it('DeleteAttributes on an unknown container instance is TargetNotFoundException', async () => {
    await rejects(berth.ecs.send(new DeleteAttributesCommand({ cluster: 'attrs', attributes: [{ name: 'stack', targetId: INSTANCE_ARN }] })),
      TargetNotFoundException, /The specified target wasn't found/);
    await rejects(berth.ecs.send(new DeleteAttributesCommand({ cluster: 'ghost', attributes: [{ name: 'stack', targetId: INSTANCE_ARN }] })),
      ClusterNotFoundException, 'Cluster not found.');
  });
});
