/** AWS::Logs::LogGroup, through CloudWatch Logs' operations (its Ref is the group's name). */
import { generatedName, gone, num, tagsOf, type ResourceType } from './types.js';

export const LOG_GROUP: ResourceType = {
  replaceOn: ['LogGroupName', 'LogGroupClass'],
  async create(ctx, p) {
    const name = p.LogGroupName ?? generatedName(ctx, 512);
    const tags = Object.fromEntries(tagsOf(ctx, p.Tags).map((t) => [t.Key, t.Value]));
    await ctx.invoke('logs', 'CreateLogGroup', { logGroupName: name, ...(Object.keys(tags).length ? { tags } : {}), ...(p.LogGroupClass ? { logGroupClass: p.LogGroupClass } : {}) });
    if (p.RetentionInDays !== undefined) await ctx.invoke('logs', 'PutRetentionPolicy', { logGroupName: name, retentionInDays: num(p.RetentionInDays) });
    return { physicalId: name, attributes: { Arn: `arn:aws:logs:${ctx.region}:${ctx.account}:log-group:${name}:*` } };
  },
  async update(ctx, name, p, old, attrs) {
    if (p.RetentionInDays !== undefined) await ctx.invoke('logs', 'PutRetentionPolicy', { logGroupName: name, retentionInDays: num(p.RetentionInDays) });
    else if (old.RetentionInDays !== undefined) await ctx.invoke('logs', 'DeleteRetentionPolicy', { logGroupName: name });
    return { physicalId: name, attributes: attrs };
  },
  async delete(ctx, name) {
    await gone(() => ctx.invoke('logs', 'DeleteLogGroup', { logGroupName: name }), 'ResourceNotFoundException');
  },
};
