/**
 * The AWS managed KMS key `aws/ecr` of an account and region, as ECR reports it in a repository's
 * encryptionConfiguration when KMS encryption names no key: a key ARN, never the alias.
 * https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_EncryptionConfiguration.html
 */
import { createHash } from 'node:crypto';
import { arn } from '../../../shared/arns.js';

/**
 * `arn:aws:kms:<region>:<account>:key/<uuid>`: one key per account and region, so its id is a UUID-shaped
 * sha256 of both and stays the same across restarts.
 */
export function awsManagedKeyArn(account: string, region: string): string {
  const h = createHash('sha256').update(`aws/ecr/${account}/${region}`).digest('hex');
  const variant = ((parseInt(h[16], 16) & 3) | 8).toString(16);
  return arn('kms', region, account, `key/${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`);
}

/** Whether `key` names the aws/ecr managed key of that account and region (by its key ARN or its alias ARN). */
export const isAwsManagedKey = (key: string | undefined, account: string, region: string) =>
  key === awsManagedKeyArn(account, region) || key === `arn:aws:kms:${region}:${account}:alias/aws/ecr`;
