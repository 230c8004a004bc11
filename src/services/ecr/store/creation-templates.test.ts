/**
 * Which repository creation template ECR applies: the longest covering
 * prefix among the templates for the scenario, ROOT for the rest; and what a
 * repository created from one gets. Also ECR's manifest translation between
 * Docker schema 2 and OCI.
 */
import { awsManagedKeyArn } from './managed-key.js';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openDb, Statements } from '../../../state/db.js';
import { createOnPush, createRepositoryFor, saveTemplate, templateFor, type StoredTemplate } from './creation-templates.js';
import { MEDIA, translateManifest } from '../../../registry/manifest-format.js';
import { getRepo } from './repositories.js';

const ref = (name: string) => ({ account: '000000000000', region: 'us-east-1', name });
const template = (prefix: string, appliedFor: string[], extra: Partial<StoredTemplate> = {}): StoredTemplate =>
  ({ prefix, appliedFor: appliedFor as StoredTemplate['appliedFor'], createdAt: 0, updatedAt: 0, ...extra });

describe('templateFor', () => {
  const sql = new Statements(openDb(':memory:'));
  for (const t of [
    template('ROOT', ['PULL_THROUGH_CACHE', 'CREATE_ON_PUSH']),
    template('prod', ['CREATE_ON_PUSH']),
    template('prod/team/', ['CREATE_ON_PUSH']),
    template('prod/team/x', ['REPLICATION']),
  ]) saveTemplate({ sql, account: '000000000000', region: 'us-east-1' }, t);
  const prefixOf = (name: string, scenario: 'PULL_THROUGH_CACHE' | 'REPLICATION' | 'CREATE_ON_PUSH') => templateFor(sql, ref(name), scenario)?.prefix;

  it('picks the longest prefix covering the name as a path (prod covers prod/…, not production/…)', () => {
    assert.equal(prefixOf('prod/web', 'CREATE_ON_PUSH'), 'prod');
    assert.equal(prefixOf('prod/team/web', 'CREATE_ON_PUSH'), 'prod/team/');
    assert.equal(prefixOf('production/web', 'CREATE_ON_PUSH'), 'ROOT');
    assert.equal(prefixOf('prod', 'CREATE_ON_PUSH'), 'ROOT');
  });

  it('considers only templates for the scenario, with ROOT for what none covers', () => {
    assert.equal(prefixOf('prod/team/x/api', 'CREATE_ON_PUSH'), 'prod/team/');
    assert.equal(prefixOf('prod/team/x/api', 'REPLICATION'), 'prod/team/x');
    assert.equal(prefixOf('prod/web', 'PULL_THROUGH_CACHE'), 'ROOT');
    assert.equal(prefixOf('other/web', 'REPLICATION'), undefined);
  });
});

describe('creating a repository from a template', () => {
  const sql = new Statements(openDb(':memory:'));
  saveTemplate({ sql, account: '000000000000', region: 'us-east-1' }, template('apps', ['CREATE_ON_PUSH'], {
    imageTagMutability: 'IMMUTABLE', encryptionConfiguration: { encryptionType: 'KMS' },
    resourceTags: [{ Key: 'team', Value: 'a' }], repositoryPolicy: '{"Version":"2012-10-17","Statement":[]}', lifecyclePolicy: '{"rules":[]}',
  }));

  it('applies settings, tags, policies and a due lifecycle policy', () => {
    const created = createOnPush(sql, ref('apps/web'), 1000)!;
    assert.equal(created.template?.prefix, 'apps');
    assert.deepEqual(created.repo.settings, {
      imageTagMutability: 'IMMUTABLE', imageScanningConfiguration: { scanOnPush: false },
      encryptionConfiguration: { encryptionType: 'KMS', kmsKey: awsManagedKeyArn('000000000000', 'us-east-1') },
    });
    assert.match(awsManagedKeyArn('000000000000', 'us-east-1'), /^arn:aws:kms:us-east-1:000000000000:key\/[0-9a-f-]{36}$/);
    assert.equal(getRepo(sql, ref('apps/web'))?.policy, '{"Version":"2012-10-17","Statement":[]}');
    assert.deepEqual(sql.get('SELECT key, value FROM tags WHERE arn = ?').all(created.repo.arn), [{ key: 'team', value: 'a' }]);
    assert.equal(created.lifecyclePolicyKey, '000000000000|us-east-1|apps/web');
    assert.equal(sql.get('SELECT dirty FROM ecr_lifecycle_policies WHERE repo = ?').pluck().get('apps/web'), 1);
  });

  it('creates nothing on push without a template, and falls back to the given settings elsewhere', () => {
    assert.equal(createOnPush(sql, ref('loose/web'), 1000), undefined);
    assert.equal(getRepo(sql, ref('loose/web')), undefined);
    const fallback = { imageTagMutability: 'MUTABLE', imageScanningConfiguration: { scanOnPush: true }, encryptionConfiguration: { encryptionType: 'AES256' } };
    const made = createRepositoryFor(sql, ref('loose/web'), 1000, 'REPLICATION', fallback);
    assert.deepEqual([made.template, made.repo.settings], [undefined, fallback]);
  });
});

describe('translateManifest', () => {
  const docker = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: MEDIA.dockerManifest,
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', digest: `sha256:${'a'.repeat(64)}`, size: 10 },
    layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', digest: `sha256:${'b'.repeat(64)}`, size: 20 }],
  }));

  it('turns Docker schema 2 into OCI and back', () => {
    const oci = translateManifest(docker, MEDIA.dockerManifest, [MEDIA.ociManifest])!;
    assert.equal(oci.mediaType, MEDIA.ociManifest);
    const doc = JSON.parse(oci.body.toString());
    assert.deepEqual([doc.config.mediaType, doc.layers[0].mediaType], ['application/vnd.oci.image.config.v1+json', 'application/vnd.oci.image.layer.v1.tar+gzip']);
    const back = translateManifest(oci.body, MEDIA.ociManifest, [MEDIA.dockerManifest])!;
    assert.deepEqual(JSON.parse(back.body.toString()), JSON.parse(docker.toString()));
  });

  it('has no translation for schema 1, for indexes, or for OCI manifests schema 2 cannot express', () => {
    assert.equal(translateManifest(docker, MEDIA.dockerManifest, ['application/vnd.docker.distribution.manifest.v1+json']), undefined);
    assert.equal(translateManifest(Buffer.from('{"schemaVersion":2,"manifests":[]}'), MEDIA.ociIndex, [MEDIA.dockerList]), undefined);
    const oci = JSON.parse(translateManifest(docker, MEDIA.dockerManifest, [MEDIA.ociManifest])!.body.toString());
    const withSubject = Buffer.from(JSON.stringify({ ...oci, subject: oci.config }));
    assert.equal(translateManifest(withSubject, MEDIA.ociManifest, [MEDIA.dockerManifest]), undefined);
    const zstd = Buffer.from(JSON.stringify({ ...oci, layers: [{ ...oci.layers[0], mediaType: 'application/vnd.oci.image.layer.v1.tar+zstd' }] }));
    assert.equal(translateManifest(zstd, MEDIA.ociManifest, [MEDIA.dockerManifest]), undefined);
  });
});
