/** AWS::SSM::Parameter, through SSM's operations. */
import { generatedName, gone, tagsOf, type ResourceType } from './types.js';

export const PARAMETER: ResourceType = {
  replaceOn: ['Name'],
  async create(ctx, p) {
    // CloudFormation names an unnamed parameter CFN-<logical id>-<random>.
    const name = p.Name ?? generatedName({ ...ctx, stackName: 'CFN' }, 2048);
    const tags = tagsOf(ctx, p.Tags ? Object.entries(p.Tags).map(([Key, Value]) => ({ Key, Value })) : []);
    await ctx.invoke('ssm', 'PutParameter', {
      Name: name, Value: String(p.Value), Type: p.Type, ...(p.Description ? { Description: p.Description } : {}),
      ...(p.AllowedPattern ? { AllowedPattern: p.AllowedPattern } : {}), ...(p.Tier ? { Tier: p.Tier } : {}), ...(p.DataType ? { DataType: p.DataType } : {}),
      ...(tags.length ? { Tags: tags } : {}),
    });
    return { physicalId: name, attributes: { Type: p.Type, Value: String(p.Value) } };
  },
  async update(ctx, name, p) {
    await ctx.invoke('ssm', 'PutParameter', {
      Name: name, Value: String(p.Value), Type: p.Type, Overwrite: true, ...(p.Description ? { Description: p.Description } : {}),
      ...(p.AllowedPattern ? { AllowedPattern: p.AllowedPattern } : {}),
    });
    return { physicalId: name, attributes: { Type: p.Type, Value: String(p.Value) } };
  },
  async delete(ctx, name) {
    await gone(() => ctx.invoke('ssm', 'DeleteParameter', { Name: name }), 'ParameterNotFound');
  },
};
