/**
 * skopeo (containers/image) reading a sha512 image from Berth. skopeo 1.9 (Debian 12) cannot push with
 * sha512 (`skopeo copy` has no digest-algorithm choice), so the image is pushed through the raw registry
 * API; skopeo then reads its manifest by sha512 digest and by tag. Copying it out is not checked: skopeo 1.9
 * verifies the config blob with sha256 whatever its digest says (a client limitation, not the registry's).
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { CreateRepositoryCommand, ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { useBerth } from '../helpers/use-berth.js';
import { MEDIA, Registry } from '../integration/registry/client.js';

const sha512 = (b: Buffer | string) => `sha512:${createHash('sha512').update(b).digest('hex')}`;
const skopeoAvailable = await new Promise<boolean>((resolve) => execFile('skopeo', ['--version'], (err) => resolve(!err)));

function skopeo(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => execFile('skopeo', args, { timeout: 120_000 }, (err, stdout, stderr) =>
    (err ? reject(new Error(`skopeo ${args.join(' ')}\n${stderr}`)) : resolve(stdout))));
}

describe('ECR with skopeo and sha512 digests', { skip: !skopeoAvailable && 'skopeo is not installed' }, () => {
  const berth = useBerth({ runtime: 'fake', clients: { ecr: ECRClient } });
  let creds: string;
  let uri: string;
  const layer = Buffer.from('a sha512 layer');
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [sha512(layer)] } }));
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: MEDIA.ociManifest,
    config: { mediaType: MEDIA.ociConfig, digest: sha512(config), size: config.length },
    layers: [{ mediaType: MEDIA.ociLayer, digest: sha512(layer), size: layer.length }],
  });

  before(async () => {
    uri = (await berth.ecr.send(new CreateRepositoryCommand({ repositoryName: 'sko/sha512' }))).repository!.repositoryUri!;
    const token = (await berth.ecr.send(new GetAuthorizationTokenCommand({}))).authorizationData![0].authorizationToken!;
    creds = Buffer.from(token, 'base64').toString('utf8');
    const reg = new Registry(berth.endpoint, `Basic ${token}`);
    const name = uri.slice(uri.indexOf('/') + 1);
    for (const blob of [config, layer]) assert.equal((await reg.putBlob(name, blob, sha512(blob))).status, 201);
    assert.equal((await reg.putManifest(name, `${sha512(manifest)}?tag=v512`, manifest, MEDIA.ociManifest)).status, 201);
  });

  it('skopeo inspects a sha512 image by its digest and by its tag', async () => {
    for (const ref of [`@${sha512(manifest)}`, ':v512']) {
      const raw = await skopeo(['inspect', '--raw', '--tls-verify=false', '--creds', creds, `docker://${uri}${ref}`]);
      assert.equal(raw, manifest, ref);
    }
  });
});
