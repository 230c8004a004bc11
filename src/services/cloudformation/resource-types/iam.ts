/** AWS::IAM::Role, AWS::IAM::Policy, AWS::IAM::ManagedPolicy and AWS::IAM::InstanceProfile, through IAM's operations. */
import { generatedName, gone, json, num, shortId, tagsOf, type Props, type ResourceContext, type ResourceType } from './types.js';

const NOT_FOUND = 'NoSuchEntity';
type Inline = { PolicyName: string; PolicyDocument: unknown };

/** The role's inline and managed policies brought from `old` to `p`. */
async function rolePolicies(ctx: ResourceContext, role: string, p: Props, old: Props = {}) {
  const inline: Inline[] = p.Policies ?? [];
  const names = new Set(inline.map((x) => x.PolicyName));
  for (const x of (old.Policies ?? []) as Inline[]) {
    if (!names.has(x.PolicyName)) await gone(() => ctx.invoke('iam', 'DeleteRolePolicy', { RoleName: role, PolicyName: x.PolicyName }), NOT_FOUND);
  }
  for (const x of inline) await ctx.invoke('iam', 'PutRolePolicy', { RoleName: role, PolicyName: x.PolicyName, PolicyDocument: json(x.PolicyDocument) });
  const managed = new Set<string>(p.ManagedPolicyArns ?? []);
  for (const arn of (old.ManagedPolicyArns ?? []) as string[]) {
    if (!managed.has(arn)) await gone(() => ctx.invoke('iam', 'DetachRolePolicy', { RoleName: role, PolicyArn: arn }), NOT_FOUND);
  }
  for (const arn of managed) await ctx.invoke('iam', 'AttachRolePolicy', { RoleName: role, PolicyArn: arn });
}

export const ROLE: ResourceType = {
  replaceOn: ['RoleName', 'Path'],
  async create(ctx, p) {
    const name = p.RoleName ?? generatedName(ctx, 64);
    const tags = tagsOf(ctx, p.Tags);
    const out = await ctx.invoke('iam', 'CreateRole', {
      RoleName: name, AssumeRolePolicyDocument: json(p.AssumeRolePolicyDocument), ...(p.Path ? { Path: p.Path } : {}),
      ...(p.Description ? { Description: p.Description } : {}), ...(p.MaxSessionDuration ? { MaxSessionDuration: num(p.MaxSessionDuration) } : {}),
      ...(p.PermissionsBoundary ? { PermissionsBoundary: p.PermissionsBoundary } : {}), ...(tags.length ? { Tags: tags } : {}),
    });
    await rolePolicies(ctx, name, p);
    return { physicalId: name, attributes: { Arn: out.Role.Arn, RoleId: out.Role.RoleId } };
  },
  async update(ctx, name, p, old, attrs) {
    if (json(p.AssumeRolePolicyDocument) !== json(old.AssumeRolePolicyDocument)) {
      await ctx.invoke('iam', 'UpdateAssumeRolePolicy', { RoleName: name, PolicyDocument: json(p.AssumeRolePolicyDocument) });
    }
    if (p.Description !== old.Description || p.MaxSessionDuration !== old.MaxSessionDuration) {
      await ctx.invoke('iam', 'UpdateRole', { RoleName: name, Description: p.Description ?? '', ...(p.MaxSessionDuration ? { MaxSessionDuration: num(p.MaxSessionDuration) } : {}) });
    }
    await rolePolicies(ctx, name, p, old);
    return { physicalId: name, attributes: attrs };
  },
  async delete(ctx, name, p) {
    await rolePolicies(ctx, name, {}, p).catch((err) => {
      if ((err as { code?: string }).code !== NOT_FOUND) throw err;
    });
    await gone(() => ctx.invoke('iam', 'DeleteRole', { RoleName: name }), NOT_FOUND);
  },
};

/** AWS::IAM::Policy: one inline policy put on each of its roles (users and groups are not served by Berth's IAM). */
export const POLICY: ResourceType = {
  async create(ctx, p) {
    unsupportedPrincipals(p);
    for (const role of p.Roles ?? []) await ctx.invoke('iam', 'PutRolePolicy', { RoleName: role, PolicyName: p.PolicyName, PolicyDocument: json(p.PolicyDocument) });
    return { physicalId: shortId(ctx) };
  },
  async update(ctx, id, p, old) {
    unsupportedPrincipals(p);
    const roles = new Set<string>(p.Roles ?? []);
    for (const role of (old.Roles ?? []) as string[]) {
      if (!roles.has(role) || old.PolicyName !== p.PolicyName) await gone(() => ctx.invoke('iam', 'DeleteRolePolicy', { RoleName: role, PolicyName: old.PolicyName }), NOT_FOUND);
    }
    for (const role of roles) await ctx.invoke('iam', 'PutRolePolicy', { RoleName: role, PolicyName: p.PolicyName, PolicyDocument: json(p.PolicyDocument) });
    return { physicalId: id };
  },
  async delete(ctx, _id, p) {
    for (const role of p.Roles ?? []) await gone(() => ctx.invoke('iam', 'DeleteRolePolicy', { RoleName: role, PolicyName: p.PolicyName }), NOT_FOUND);
  },
};

function unsupportedPrincipals(p: Props) {
  if (p.Users?.length || p.Groups?.length) throw new Error('Berth attaches AWS::IAM::Policy to Roles only (IAM users and groups are not modelled).');
}

export const MANAGED_POLICY: ResourceType = {
  replaceOn: ['ManagedPolicyName', 'Path'],
  async create(ctx, p) {
    unsupportedPrincipals(p);
    const out = await ctx.invoke('iam', 'CreatePolicy', {
      PolicyName: p.ManagedPolicyName ?? generatedName(ctx, 128), PolicyDocument: json(p.PolicyDocument),
      ...(p.Path ? { Path: p.Path } : {}), ...(p.Description ? { Description: p.Description } : {}),
    });
    const arn = out.Policy.Arn as string;
    for (const role of p.Roles ?? []) await ctx.invoke('iam', 'AttachRolePolicy', { RoleName: role, PolicyArn: arn });
    return { physicalId: arn, attributes: { PolicyArn: arn, PolicyId: out.Policy.PolicyId, AttachmentCount: (p.Roles ?? []).length } };
  },
  async update(ctx, arn, p, old, attrs) {
    if (json(p.PolicyDocument) !== json(old.PolicyDocument)) {
      // Five versions at most: the oldest non-default goes first, as CloudFormation does.
      const versions = await ctx.invoke('iam', 'ListPolicyVersions', { PolicyArn: arn });
      const stale = (versions.Versions ?? []).filter((v: Props) => !v.IsDefaultVersion);
      if (stale.length >= 4) await ctx.invoke('iam', 'DeletePolicyVersion', { PolicyArn: arn, VersionId: stale[stale.length - 1].VersionId });
      await ctx.invoke('iam', 'CreatePolicyVersion', { PolicyArn: arn, PolicyDocument: json(p.PolicyDocument), SetAsDefault: true });
    }
    const roles = new Set<string>(p.Roles ?? []);
    for (const role of (old.Roles ?? []) as string[]) if (!roles.has(role)) await gone(() => ctx.invoke('iam', 'DetachRolePolicy', { RoleName: role, PolicyArn: arn }), NOT_FOUND);
    for (const role of roles) await ctx.invoke('iam', 'AttachRolePolicy', { RoleName: role, PolicyArn: arn });
    return { physicalId: arn, attributes: attrs };
  },
  async delete(ctx, arn, p) {
    for (const role of p.Roles ?? []) await gone(() => ctx.invoke('iam', 'DetachRolePolicy', { RoleName: role, PolicyArn: arn }), NOT_FOUND);
    const versions = await ctx.invoke('iam', 'ListPolicyVersions', { PolicyArn: arn }).catch(() => ({ Versions: [] }));
    for (const v of (versions.Versions ?? []) as Props[]) {
      if (!v.IsDefaultVersion) await gone(() => ctx.invoke('iam', 'DeletePolicyVersion', { PolicyArn: arn, VersionId: v.VersionId }), NOT_FOUND);
    }
    await gone(() => ctx.invoke('iam', 'DeletePolicy', { PolicyArn: arn }), NOT_FOUND);
  },
};

export const INSTANCE_PROFILE: ResourceType = {
  replaceOn: ['InstanceProfileName', 'Path'],
  async create(ctx, p) {
    const name = p.InstanceProfileName ?? generatedName(ctx, 128);
    const out = await ctx.invoke('iam', 'CreateInstanceProfile', { InstanceProfileName: name, ...(p.Path ? { Path: p.Path } : {}) });
    for (const role of p.Roles ?? []) await ctx.invoke('iam', 'AddRoleToInstanceProfile', { InstanceProfileName: name, RoleName: role });
    return { physicalId: name, attributes: { Arn: out.InstanceProfile.Arn } };
  },
  async delete(ctx, name, p) {
    for (const role of p.Roles ?? []) await gone(() => ctx.invoke('iam', 'RemoveRoleFromInstanceProfile', { InstanceProfileName: name, RoleName: role }), NOT_FOUND);
    await gone(() => ctx.invoke('iam', 'DeleteInstanceProfile', { InstanceProfileName: name }), NOT_FOUND);
  },
};
