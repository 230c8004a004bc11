/**
 * AWS::SecretsManager::Secret, through Secrets Manager's operations. `GenerateSecretString` draws the value with
 * GetRandomPassword (into `SecretStringTemplate` under `GenerateStringKey` when given, as CloudFormation does). Ref is
 * the secret's ARN. Deleting the resource deletes the secret without a recovery window, so the stack can make it again.
 */
import { randomBytes } from 'node:crypto';
import { gone, tagsOf, type Props, type ResourceContext, type ResourceType } from './types.js';

const sm = (ctx: ResourceContext, op: string, input: object) => ctx.invoke('secrets-manager', op, input);

async function secretValue(ctx: ResourceContext, p: Props): Promise<string | undefined> {
  if (p.SecretString !== undefined) return String(p.SecretString);
  const g = p.GenerateSecretString as Props | undefined;
  if (!g) return undefined;
  const { RandomPassword } = await sm(ctx, 'GetRandomPassword', {
    ...(g.PasswordLength !== undefined ? { PasswordLength: Number(g.PasswordLength) } : {}),
    ...(g.ExcludeCharacters !== undefined ? { ExcludeCharacters: String(g.ExcludeCharacters) } : {}),
    ...Object.fromEntries(['ExcludeLowercase', 'ExcludeNumbers', 'ExcludePunctuation', 'ExcludeUppercase', 'IncludeSpace', 'RequireEachIncludedType']
      .filter((k) => g[k] !== undefined).map((k) => [k, g[k] === true || g[k] === 'true'])),
  });
  if (!g.SecretStringTemplate) return RandomPassword as string;
  const template = JSON.parse(String(g.SecretStringTemplate)) as Record<string, unknown>;
  return JSON.stringify({ ...template, [String(g.GenerateStringKey)]: RandomPassword });
}

/** CloudFormation's name for an unnamed secret: the logical id and a random suffix. */
const secretName = (ctx: ResourceContext) => `${ctx.logicalId}-${randomBytes(6).toString('hex')}`;

export const SECRET: ResourceType = {
  replaceOn: ['Name'],
  async create(ctx, p) {
    const value = await secretValue(ctx, p);
    const tags = tagsOf(ctx, p.Tags);
    const out = await sm(ctx, 'CreateSecret', {
      Name: p.Name ?? secretName(ctx), ...(p.Description !== undefined ? { Description: p.Description } : {}),
      ...(p.KmsKeyId ? { KmsKeyId: p.KmsKeyId } : {}), ...(value !== undefined ? { SecretString: value } : {}), ...(tags.length ? { Tags: tags } : {}),
    });
    return { physicalId: out.ARN, attributes: { Id: out.ARN } };
  },
  async update(ctx, arn, p, old, attrs) {
    const valueChanged = JSON.stringify(p.SecretString) !== JSON.stringify(old.SecretString)
      || JSON.stringify(p.GenerateSecretString) !== JSON.stringify(old.GenerateSecretString);
    const value = valueChanged ? await secretValue(ctx, p) : undefined;
    await sm(ctx, 'UpdateSecret', {
      SecretId: arn, Description: p.Description ?? '', ...(p.KmsKeyId ? { KmsKeyId: p.KmsKeyId } : {}), ...(value !== undefined ? { SecretString: value } : {}),
    });
    const tags = tagsOf(ctx, p.Tags);
    const keys = new Set(tags.map((t) => t.Key));
    const dropped = tagsOf(ctx, old.Tags).filter((t) => !keys.has(t.Key)).map((t) => t.Key);
    if (dropped.length) await sm(ctx, 'UntagResource', { SecretId: arn, TagKeys: dropped });
    if (tags.length) await sm(ctx, 'TagResource', { SecretId: arn, Tags: tags });
    return { physicalId: arn, attributes: attrs };
  },
  async delete(ctx, arn) {
    await gone(() => sm(ctx, 'DeleteSecret', { SecretId: arn, ForceDeleteWithoutRecovery: true }), 'ResourceNotFoundException');
  },
};
