/**
 * A tiny OCI distribution client for the registry tests: just fetch, so the
 * tests see exactly the status codes, headers and bodies a client would.
 * Also builds small images (config + layers + manifest) in memory.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import { ECRClient, CreateRepositoryCommand, GetAuthorizationTokenCommand, type CreateRepositoryCommandInput } from '@aws-sdk/client-ecr';
import { clientConfig } from '../../helpers/berth.js';

export const ACCOUNT = '000000000000';
export const REGION = 'us-east-1';

export const sha256 = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

export const MEDIA = {
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar+gzip',
};

/** Basic auth for account's registry token, from GetAuthorizationToken. */
export async function registryAuth(endpoint: string, accessKeyId = 'test'): Promise<string> {
  const ecr = new ECRClient(clientConfig(endpoint, REGION, { accessKeyId, secretAccessKey: 'test' }));
  const out = await ecr.send(new GetAuthorizationTokenCommand({}));
  return `Basic ${out.authorizationData![0].authorizationToken}`;
}

export async function createRepo(endpoint: string, input: CreateRepositoryCommandInput, accessKeyId = 'test') {
  const ecr = new ECRClient(clientConfig(endpoint, REGION, { accessKeyId, secretAccessKey: 'test' }));
  return (await ecr.send(new CreateRepositoryCommand(input))).repository!;
}

/** Creates the repository, then logs in: a registry client with the account's token. */
export async function registryWithRepo(endpoint: string, repositoryName: string): Promise<Registry> {
  await createRepo(endpoint, { repositoryName });
  return new Registry(endpoint, await registryAuth(endpoint));
}

export class Registry {
  constructor(readonly endpoint: string, readonly auth: string | undefined) {}

  fetch(path: string, init: Omit<RequestInit, 'body'> & { body?: string | Uint8Array } = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.auth && !headers.has('authorization')) headers.set('authorization', this.auth);
    // Node's fetch takes any byte view; its DOM-derived types only admit ArrayBuffer-backed ones.
    const body = init.body as RequestInit['body'];
    return fetch(path.startsWith('http') ? path : `${this.endpoint}${path}`, { ...init, body, headers, redirect: 'manual' });
  }

  /** Monolithic upload (POST ?digest=). */
  async putBlob(name: string, bytes: Buffer, digest = sha256(bytes)): Promise<Response> {
    return this.fetch(`/v2/${name}/blobs/uploads/?digest=${digest}`, {
      method: 'POST', body: bytes, headers: { 'content-type': 'application/octet-stream' },
    });
  }

  async putManifest(name: string, reference: string, body: string | Buffer, mediaType?: string): Promise<Response> {
    return this.fetch(`/v2/${name}/manifests/${reference}`, {
      method: 'PUT', body, headers: mediaType ? { 'content-type': mediaType } : {},
    });
  }

  /** Pushes an image's blobs and its manifest under `reference`. */
  async pushImage(name: string, image: TestImage, reference: string): Promise<Response> {
    for (const blob of [image.config, ...image.layers]) {
      const res = await this.putBlob(name, blob);
      if (res.status !== 201) throw new Error(`blob push failed: ${res.status} ${await res.text()}`);
    }
    return this.putManifest(name, reference, image.manifest, image.mediaType);
  }
}

export interface TestImage {
  config: Buffer;
  layers: Buffer[];
  manifest: string;
  digest: string;
  mediaType: string;
}

/** A small image whose "layers" are arbitrary bytes (registries do not look inside). */
export function makeImage(opts: { layers?: Buffer[]; oci?: boolean; arch?: string; subject?: { digest: string; size: number; mediaType: string }; artifactType?: string } = {}): TestImage {
  const layers = opts.layers ?? [Buffer.from(`layer ${Math.random()}`)];
  const config = Buffer.from(JSON.stringify({ architecture: opts.arch ?? 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: layers.map(sha256) } }));
  const mediaType = opts.oci || opts.subject ? MEDIA.ociManifest : MEDIA.dockerManifest;
  const doc: Record<string, unknown> = {
    schemaVersion: 2,
    mediaType,
    ...(opts.artifactType ? { artifactType: opts.artifactType } : {}),
    config: { mediaType: opts.oci || opts.subject ? MEDIA.ociConfig : MEDIA.dockerConfig, digest: sha256(config), size: config.length },
    layers: layers.map((l) => ({ mediaType: opts.oci || opts.subject ? MEDIA.ociLayer : MEDIA.dockerLayer, digest: sha256(l), size: l.length })),
    ...(opts.subject ? { subject: opts.subject } : {}),
  };
  const manifest = JSON.stringify(doc);
  return { config, layers, manifest, digest: sha256(manifest), mediaType };
}

export function makeIndex(children: { image: TestImage; arch: string }[], mediaType = MEDIA.ociIndex): { body: string; digest: string } {
  const body = JSON.stringify({
    schemaVersion: 2,
    mediaType,
    manifests: children.map((c) => ({
      mediaType: c.image.mediaType, digest: c.image.digest, size: Buffer.byteLength(c.image.manifest),
      platform: { architecture: c.arch, os: 'linux' },
    })),
  });
  return { body, digest: sha256(body) };
}

export const errorCode = async (res: Response) => ((await res.json()) as { errors: { code: string }[] }).errors[0].code;

/** A request with the path exactly as given (fetch would normalize `..` away). */
export function rawRequest(endpoint: string, method: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  const url = new URL(endpoint);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, method, path, headers }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    req.end();
  });
}
