/**
 * Reading a manifest someone pushes: which of the four formats it is, whether
 * it is well-formed, and what it references. Docker schema 2 manifests and
 * manifest lists, OCI image manifests and indexes (with OCI 1.1's
 * `artifactType` and `subject`). Docker schema 1 is refused, as current
 * registries do.
 */
import { isDigest } from './digest.js';
import { RegistryError } from './errors.js';

export const MEDIA = {
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
} as const;

const IMAGE_TYPES = new Set<string>([MEDIA.dockerManifest, MEDIA.ociManifest]);
const INDEX_TYPES = new Set<string>([MEDIA.dockerList, MEDIA.ociIndex]);
export const MANIFEST_TYPES = new Set<string>([...IMAGE_TYPES, ...INDEX_TYPES]);
export const isIndexType = (mediaType: string) => INDEX_TYPES.has(mediaType);

/** Largest manifest accepted: the OCI spec's "at least 4 MiB" and ECR's limit. */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  urls?: string[];
  artifactType?: string;
  annotations?: Record<string, string>;
  platform?: { architecture?: string; os?: string; variant?: string };
}

export interface ParsedManifest {
  mediaType: string;
  isIndex: boolean;
  /** Blobs it needs (config and layers), excluding non-distributable layers. */
  blobs: Descriptor[];
  /** Child manifests (indexes). */
  manifests: Descriptor[];
  subject?: Descriptor;
  /** artifactType, else the config's media type (what ECR reports as artifactMediaType). */
  artifactType?: string;
  /** Sum of layer sizes (ECR's imageSizeInBytes for an image; an index takes the largest child). */
  layerBytes: number;
  annotations?: Record<string, string>;
}

const invalid = (why: string) => new RegistryError('MANIFEST_INVALID', `manifest invalid: ${why}`, { detail: why });

// Layers a registry need not hold: docker "foreign" layers and OCI non-distributable ones.
const isForeign = (d: Descriptor) =>
  !!d.urls?.length || d.mediaType === 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip' ||
  d.mediaType.startsWith('application/vnd.oci.image.layer.nondistributable.');

function descriptor(value: unknown, where: string): Descriptor {
  const d = value as Descriptor;
  if (!d || typeof d !== 'object' || Array.isArray(d)) throw invalid(`${where} is not a descriptor`);
  if (typeof d.mediaType !== 'string' || !d.mediaType) throw invalid(`${where}.mediaType is missing`);
  if (!isDigest(d.digest)) throw invalid(`${where}.digest is not a sha256 or sha512 digest`);
  if (!Number.isSafeInteger(d.size) || d.size < 0) throw invalid(`${where}.size is not a size`);
  return d;
}

function descriptors(value: unknown, where: string): Descriptor[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw invalid(`${where} is not a list`);
  return value.map((v, i) => descriptor(v, `${where}[${i}]`));
}

const stripParams = (contentType: string | undefined) => contentType?.split(';')[0].trim().toLowerCase() || undefined;

/**
 * Parses and checks a pushed manifest. The media type comes from the body's
 * `mediaType`, else the Content-Type, else the shape (OCI allows omitting it);
 * a body and header that disagree are MANIFEST_INVALID.
 */
export function parseManifest(body: Buffer, contentType: string | undefined): ParsedManifest {
  if (body.length > MAX_MANIFEST_BYTES) {
    throw new RegistryError('MANIFEST_INVALID', `manifest invalid: larger than ${MAX_MANIFEST_BYTES} bytes`, { status: 413 });
  }
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(body.toString('utf8'));
  } catch {
    throw invalid('not valid JSON');
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw invalid('not a JSON object');
  if (doc.schemaVersion !== 2) throw invalid(`schemaVersion ${JSON.stringify(doc.schemaVersion)} is not supported (want 2)`);

  const header = stripParams(contentType);
  const declared = typeof doc.mediaType === 'string' ? doc.mediaType : undefined;
  const headerKnown = header && MANIFEST_TYPES.has(header) ? header : undefined;
  if (declared && headerKnown && declared !== headerKnown) throw invalid(`mediaType ${declared} does not match Content-Type ${header}`);
  const mediaType = declared ?? headerKnown ?? (Array.isArray(doc.manifests) ? MEDIA.ociIndex : MEDIA.ociManifest);
  if (!MANIFEST_TYPES.has(mediaType)) throw invalid(`unsupported manifest media type ${mediaType}`);

  const subject = doc.subject === undefined ? undefined : descriptor(doc.subject, 'subject');
  const artifactType = typeof doc.artifactType === 'string' ? doc.artifactType : undefined;
  const annotations = doc.annotations && typeof doc.annotations === 'object' ? (doc.annotations as Record<string, string>) : undefined;

  if (INDEX_TYPES.has(mediaType)) {
    if (!Array.isArray(doc.manifests)) throw invalid('an index needs a manifests list');
    const manifests = descriptors(doc.manifests, 'manifests');
    return { mediaType, isIndex: true, blobs: [], manifests, subject, artifactType, layerBytes: 0, annotations };
  }
  if (doc.manifests !== undefined) throw invalid('an image manifest has no manifests list');
  const config = descriptor(doc.config, 'config');
  if (doc.layers === undefined && mediaType === MEDIA.dockerManifest) throw invalid('layers is missing');
  const layers = descriptors(doc.layers, 'layers');
  return {
    mediaType,
    isIndex: false,
    blobs: [config, ...layers.filter((l) => !isForeign(l))],
    manifests: [],
    subject,
    artifactType: artifactType ?? config.mediaType,
    layerBytes: layers.reduce((n, l) => n + l.size, 0),
    annotations,
  };
}

/**
 * Does a client's Accept header allow this media type? No Accept (or a
 * wildcard) takes anything, as distribution does.
 */
export function accepts(accept: string | undefined, mediaType: string): boolean {
  if (!accept) return true;
  const types = accept.split(',').map((t) => stripParams(t)).filter(Boolean);
  return !types.length || types.some((t) => t === mediaType || t === '*/*' || t === 'application/*');
}

/** The media types an Accept header names (parameters dropped). */
export function acceptedTypes(accept: string | undefined): string[] {
  return (accept ?? '').split(',').map((t) => stripParams(t)).filter((t): t is string => !!t);
}

/** The child of an index a client that cannot read indexes gets: linux/amd64, else the first. */
export function defaultChild(index: Buffer): Descriptor | undefined {
  const doc = JSON.parse(index.toString('utf8')) as { manifests?: Descriptor[] };
  const all = doc.manifests ?? [];
  return all.find((m) => m.platform?.os === 'linux' && m.platform.architecture === 'amd64') ?? all[0];
}

// --- ECR's manifest translation -----------------------------------------------

/** Docker schema 2 and OCI names for the same config and layer blobs. */
const DOCKER_TO_OCI: Record<string, string> = {
  'application/vnd.docker.container.image.v1+json': 'application/vnd.oci.image.config.v1+json',
  'application/vnd.docker.image.rootfs.diff.tar.gzip': 'application/vnd.oci.image.layer.v1.tar+gzip',
  'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip': 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
};
const OCI_TO_DOCKER: Record<string, string> = Object.fromEntries(Object.entries(DOCKER_TO_OCI).map(([d, o]) => [o, d]));

/**
 * ECR's image manifest conversion for a pull by tag whose client does not
 * accept the stored format: a Docker schema 2 image manifest is served as an
 * OCI image manifest and the other way round (ECR's table; schema 1 is never
 * produced here). Only images translate: an OCI manifest that uses what
 * Docker schema 2 cannot say (artifactType, subject, annotations, other
 * config or layer types such as zstd) has no translation, nor has an index.
 * Returns undefined when no accepted translation exists.
 */
export function translateManifest(body: Buffer, mediaType: string, accepted: string[]): { body: Buffer; mediaType: string } | undefined {
  const target = mediaType === MEDIA.dockerManifest ? MEDIA.ociManifest : mediaType === MEDIA.ociManifest ? MEDIA.dockerManifest : undefined;
  if (!target || !accepted.includes(target)) return undefined;
  const doc = JSON.parse(body.toString('utf8')) as Record<string, unknown> & { config: Descriptor; layers?: Descriptor[] };
  const table = target === MEDIA.ociManifest ? DOCKER_TO_OCI : OCI_TO_DOCKER;
  if (target === MEDIA.dockerManifest && (doc.artifactType !== undefined || doc.subject !== undefined || doc.annotations !== undefined)) return undefined;
  const map = (d: Descriptor): Descriptor | undefined => (table[d.mediaType] ? { ...d, mediaType: table[d.mediaType] } : undefined);
  const config = map(doc.config);
  const layers = (doc.layers ?? []).map(map);
  if (!config || layers.some((l) => !l)) return undefined;
  const out = { schemaVersion: 2, mediaType: target, config, layers };
  // Docker's own tools write schema 2 manifests indented by three spaces.
  return { body: Buffer.from(target === MEDIA.dockerManifest ? JSON.stringify(out, null, 3) : JSON.stringify(out)), mediaType: target };
}
