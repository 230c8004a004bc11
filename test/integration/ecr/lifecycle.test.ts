/**
 * ECR lifecycle policies through @aws-sdk/client-ecr against a real Berth
 * whose clock the test moves: Put/Get/DeleteLifecyclePolicy, ECR's
 * validation messages, previews (filters, pagination, summary), and the
 * controller's run deleting exactly what the preview listed, by count and by
 * age, honouring rule priority.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateRepositoryCommand, DeleteLifecyclePolicyCommand, DeleteRepositoryCommand, DescribeImagesCommand, ECRClient, GetLifecyclePolicyCommand,
  GetLifecyclePolicyPreviewCommand, PutLifecyclePolicyCommand, StartLifecyclePolicyPreviewCommand,
  type GetLifecyclePolicyPreviewCommandOutput,
} from '@aws-sdk/client-ecr';
import { startApp, type App } from '../../../src/app.js';
import { resolveConfig } from '../../../src/config/index.js';
import { ManualClock } from '../../../src/shared/clock.js';
import { createLogger } from '../../../src/shared/logger.js';
import { clientConfig } from '../../helpers/berth.js';
import { Registry, makeImage, registryAuth } from '../registry/client.js';
import { rejectsNamed as rejects } from '../../helpers/aws-errors.js';

const ACCOUNT = '000000000000';
const DAY = 24 * 3600 * 1000;

const rule = (rulePriority: number, selection: Record<string, unknown>) => ({
  rulePriority, selection: { countType: 'imageCountMoreThan', countNumber: 1, ...selection }, action: { type: 'expire' },
});
const policyText = (...rules: object[]) => JSON.stringify({ rules });

describe('ECR lifecycle policies', () => {
  const clock = new ManualClock(Date.now());
  let app: App;
  let ecr: ECRClient;
  let reg: Registry;
  let repos = 0;

  before(async () => {
    app = await startApp(resolveConfig({ port: 0, ephemeral: true, logLevel: 'error', runtime: 'fake' }), { clock, log: createLogger('error') });
    ecr = new ECRClient(clientConfig(app.endpoint));
  });
  after(async () => {
    ecr.destroy();
    await app.stop();
  });

  async function newRepo(): Promise<string> {
    const repositoryName = `life/r${++repos}`;
    await ecr.send(new CreateRepositoryCommand({ repositoryName }));
    return repositoryName;
  }

  /** Pushes an image (tagged, or untagged by digest) one minute after the previous one. */
  async function push(repo: string, tags: string[] = []): Promise<string> {
    clock.advance(60_000);
    // Registry tokens live 12 hours of Berth's clock, which the tests move by days.
    reg = new Registry(app.endpoint, await registryAuth(app.endpoint));
    const image = makeImage();
    const wire = `${ACCOUNT}/us-east-1/${repo}`;
    const res = await reg.pushImage(wire, image, tags[0] ?? image.digest);
    assert.equal(res.status, 201, await res.text());
    for (const t of tags.slice(1)) assert.equal((await reg.putManifest(wire, t, image.manifest, image.mediaType)).status, 201);
    return image.digest;
  }

  const remaining = async (repositoryName: string) =>
    new Set((await ecr.send(new DescribeImagesCommand({ repositoryName }))).imageDetails!.map((d) => d.imageDigest!));

  async function preview(repositoryName: string, lifecyclePolicyText?: string): Promise<GetLifecyclePolicyPreviewCommandOutput> {
    const started = await ecr.send(new StartLifecyclePolicyPreviewCommand({ repositoryName, lifecyclePolicyText }));
    assert.equal(started.status, 'IN_PROGRESS');
    await app.controllers.idle();
    const out = await ecr.send(new GetLifecyclePolicyPreviewCommand({ repositoryName }));
    assert.equal(out.status, 'COMPLETE');
    return out;
  }

  async function putPolicy(repositoryName: string, lifecyclePolicyText: string) {
    await ecr.send(new PutLifecyclePolicyCommand({ repositoryName, lifecyclePolicyText }));
    await app.controllers.idle();
  }

  it('PutLifecyclePolicy stores the text; Get reports it with lastEvaluatedAt; Delete returns it and removes it', async () => {
    const repositoryName = await newRepo();
    const text = policyText(rule(1, { tagStatus: 'untagged', countNumber: 5 }));
    const put = await ecr.send(new PutLifecyclePolicyCommand({ repositoryName, lifecyclePolicyText: text }));
    assert.deepEqual([put.registryId, put.repositoryName, put.lifecyclePolicyText], [ACCOUNT, repositoryName, text]);
    await app.controllers.idle();
    const got = await ecr.send(new GetLifecyclePolicyCommand({ repositoryName }));
    assert.equal(got.lifecyclePolicyText, text);
    assert.equal(got.lastEvaluatedAt?.getTime(), clock.now());
    const deleted = await ecr.send(new DeleteLifecyclePolicyCommand({ repositoryName }));
    assert.equal(deleted.lifecyclePolicyText, text);
    const notFound = `Lifecycle policy does not exist for the repository with name '${repositoryName}' in the registry with id '${ACCOUNT}'`;
    await rejects(ecr.send(new GetLifecyclePolicyCommand({ repositoryName })), 'LifecyclePolicyNotFoundException', notFound);
    await rejects(ecr.send(new DeleteLifecyclePolicyCommand({ repositoryName })), 'LifecyclePolicyNotFoundException', notFound);
    await rejects(ecr.send(new GetLifecyclePolicyCommand({ repositoryName: 'life/none' })), 'RepositoryNotFoundException');
  });

  it('a bad policy is InvalidParameterException with ECR\'s validation message, and nothing is stored', async () => {
    const repositoryName = await newRepo();
    const prefix = "Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle policy validation failure: ";
    const bad = async (text: string, detail: string | RegExp) => rejects(
      ecr.send(new PutLifecyclePolicyCommand({ repositoryName, lifecyclePolicyText: text })), 'InvalidParameterException',
      typeof detail === 'string' ? `${prefix}${detail}'` : detail,
    );
    await bad('{"rules": "all"}', 'instance type (string) does not match any allowed primitive type (allowed: ["array"])');
    await bad(JSON.stringify({ rules: [{ rulePriority: 1, action: { type: 'expire' } }] }), 'object has missing required properties (["selection"])');
    await bad(policyText(rule(1, { tagStatus: 'sometimes' })), 'instance value ("sometimes") not found in enum (possible values: ["tagged","untagged","any"])');
    await bad(policyText(rule(1, { tagStatus: 'any' }), rule(2, { tagStatus: 'untagged' })), /tagStatus any must have the highest rulePriority/);
    await bad(policyText(rule(1, { tagStatus: 'tagged', tagPatternList: ['a*b*c*d*e*'] })), /at most 4 wildcards/);
    await bad(policyText(rule(1, { tagStatus: 'untagged' }), rule(1, { tagStatus: 'tagged', tagPrefixList: ['v'] })), /must be unique/);
    await rejects(ecr.send(new GetLifecyclePolicyCommand({ repositoryName })), 'LifecyclePolicyNotFoundException');
  });

  it('GetLifecyclePolicyPreview before any preview is LifecyclePolicyPreviewNotFoundException; a preview needs a policy', async () => {
    const repositoryName = await newRepo();
    await rejects(ecr.send(new GetLifecyclePolicyPreviewCommand({ repositoryName })), 'LifecyclePolicyPreviewNotFoundException');
    await rejects(ecr.send(new StartLifecyclePolicyPreviewCommand({ repositoryName })), 'LifecyclePolicyNotFoundException');
  });

  it('imageCountMoreThan: the preview lists the oldest untagged images and the run deletes exactly those', async () => {
    const repositoryName = await newRepo();
    const untagged = [await push(repositoryName), await push(repositoryName), await push(repositoryName), await push(repositoryName)];
    const tagged = await push(repositoryName, ['v1']);
    const text = policyText(rule(1, { tagStatus: 'untagged', countNumber: 2 }));
    const p = await preview(repositoryName, text);
    assert.deepEqual(p.previewResults!.map((r) => r.imageDigest), untagged.slice(0, 2));
    assert.deepEqual(p.previewResults![0], {
      imageDigest: untagged[0], imagePushedAt: p.previewResults![0].imagePushedAt, action: { type: 'EXPIRE' }, appliedRulePriority: 1, storageClass: 'STANDARD',
    });
    assert.equal(p.summary!.expiringImageTotalCount, 2);
    assert.equal(p.lifecyclePolicyText, text);
    assert.equal((await remaining(repositoryName)).size, 5, 'a preview deletes nothing');

    await putPolicy(repositoryName, text);
    assert.deepEqual(await remaining(repositoryName), new Set([untagged[2], untagged[3], tagged]));
  });

  it('rule priority: an image a higher-priority rule selects is never expired by a lower one; preview equals run', async () => {
    const repositoryName = await newRepo();
    const prod = [await push(repositoryName, ['prod-1']), await push(repositoryName, ['prod-2', 'beta-2']), await push(repositoryName, ['prod-3'])];
    const beta = [await push(repositoryName, ['beta-3']), await push(repositoryName, ['beta-4'])];
    const dev = [await push(repositoryName, ['dev']), await push(repositoryName)];
    const text = policyText(
      rule(1, { tagStatus: 'tagged', tagPatternList: ['prod-*'], countNumber: 2 }),
      rule(2, { tagStatus: 'tagged', tagPrefixList: ['beta'], countNumber: 1 }),
      rule(3, { tagStatus: 'any', countNumber: 3 }),
    );
    const p = await preview(repositoryName, text);
    const expected = [[prod[0], 1], [beta[0], 2]];
    // prod-2/beta-2 is kept by rule 1 (newest two prod) and rule 2 may not expire it; rule 3 counts all but only
    // expires images no earlier rule selected: the untagged one and dev are among the newest three overall.
    assert.deepEqual(p.previewResults!.map((r) => [r.imageDigest, r.appliedRulePriority]), expected);
    assert.deepEqual(p.previewResults![1].imageTags, ['beta-3']);

    await putPolicy(repositoryName, text);
    const left = await remaining(repositoryName);
    assert.deepEqual(left, new Set([prod[1], prod[2], beta[1], ...dev]));
    const expired = [...prod, ...beta, ...dev].filter((d) => !left.has(d));
    assert.deepEqual(expired, p.previewResults!.map((r) => r.imageDigest), 'the run deleted exactly what the preview listed');
  });

  it('sinceImagePushed uses the clock: nothing expires until the images are older than countNumber days', async () => {
    const repositoryName = await newRepo();
    const old = await push(repositoryName, ['old']);
    clock.advance(3 * DAY);
    const recent = await push(repositoryName, ['recent']);
    const text = policyText(rule(1, { tagStatus: 'any', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 7 }));
    await putPolicy(repositoryName, text);
    assert.equal((await remaining(repositoryName)).size, 2);

    clock.advance(5 * DAY); // old is 8 days old, recent 5
    const p = await preview(repositoryName);
    assert.deepEqual(p.previewResults!.map((r) => [r.imageDigest, r.imageTags]), [[old, ['old']]]);
    await putPolicy(repositoryName, text);
    assert.deepEqual(await remaining(repositoryName), new Set([recent]));
    assert.equal((await ecr.send(new GetLifecyclePolicyCommand({ repositoryName }))).lastEvaluatedAt?.getTime(), clock.now());
  });

  it('GetLifecyclePolicyPreview filters by tag status and image id and paginates', async () => {
    const repositoryName = await newRepo();
    const imgs = [await push(repositoryName, ['a']), await push(repositoryName), await push(repositoryName, ['b']), await push(repositoryName), await push(repositoryName, ['keep'])];
    await preview(repositoryName, policyText(rule(1, { tagStatus: 'any', countNumber: 1 })));
    const get = (input: object) => ecr.send(new GetLifecyclePolicyPreviewCommand({ repositoryName, ...input }));
    assert.deepEqual((await get({ filter: { tagStatus: 'TAGGED' } })).previewResults!.map((r) => r.imageTags), [['a'], ['b']]);
    assert.deepEqual((await get({ filter: { tagStatus: 'UNTAGGED' } })).previewResults!.map((r) => r.imageDigest), [imgs[1], imgs[3]]);
    assert.deepEqual((await get({ imageIds: [{ imageTag: 'b' }, { imageDigest: imgs[1] }] })).previewResults!.map((r) => r.imageDigest), [imgs[1], imgs[2]]);
    const first = await get({ maxResults: 3 });
    assert.equal(first.previewResults!.length, 3);
    assert.equal(first.summary!.expiringImageTotalCount, 4);
    const second = await get({ maxResults: 3, nextToken: first.nextToken });
    assert.deepEqual(second.previewResults!.map((r) => r.imageDigest), [imgs[3]]);
    assert.equal(second.nextToken, undefined);
  });

  it('DeleteRepository with force takes its lifecycle policy with it', async () => {
    const repositoryName = await newRepo();
    await push(repositoryName, ['x']);
    await putPolicy(repositoryName, policyText(rule(1, { tagStatus: 'untagged', countNumber: 5 })));
    await ecr.send(new DeleteRepositoryCommand({ repositoryName, force: true }));
    await ecr.send(new CreateRepositoryCommand({ repositoryName }));
    await rejects(ecr.send(new GetLifecyclePolicyCommand({ repositoryName })), 'LifecyclePolicyNotFoundException');
    await rejects(ecr.send(new GetLifecyclePolicyPreviewCommand({ repositoryName })), 'LifecyclePolicyPreviewNotFoundException');
  });
});
