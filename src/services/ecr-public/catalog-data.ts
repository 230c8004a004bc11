/**
 * Catalog data: a repository's (CreateRepository's catalogData, Get/PutRepositoryCatalogData) and a registry's
 * display name (Get/PutRegistryCatalogData). What the Amazon ECR Public Gallery shows; Berth keeps it and serves the
 * logo from its public registry. Lengths as the API reference gives them
 * (https://docs.aws.amazon.com/AmazonECRPublic/latest/APIReference/API_RepositoryCatalogDataInput.html).
 */
import type {
  GetRegistryCatalogDataRequest, GetRegistryCatalogDataResponse, GetRepositoryCatalogDataRequest, GetRepositoryCatalogDataResponse,
  PutRegistryCatalogDataRequest, PutRegistryCatalogDataResponse, PutRepositoryCatalogDataRequest, PutRepositoryCatalogDataResponse,
  RepositoryCatalogDataInput,
} from '@aws-sdk/client-ecr-public';
import type { RequestContext } from '../provider.js';
import { ownRegistry, requireRepo, toCatalogData } from './common.js';
import { invalidParameter } from './errors.js';
import { savePublicCatalog, setPublicRegistryDisplayName, type CatalogData } from './store.js';

const MAX_LOGO_BYTES = 512_000;

function checkLength(field: string, value: string | undefined, max: number): void {
  if (value !== undefined && value.length > max) {
    throw invalidParameter(`Invalid parameter at '${field}' failed to satisfy constraint: 'Member must have length less than or equal to ${max}'`);
  }
}

function checkList(field: string, values: string[] | undefined): void {
  if ((values?.length ?? 0) > 50) throw invalidParameter(`Invalid parameter at '${field}' failed to satisfy constraint: 'Member must have length less than or equal to 50'`);
  for (const v of values ?? []) {
    if (v.length < 1 || v.length > 50) {
      throw invalidParameter(`Invalid parameter at '${field}' failed to satisfy constraint: 'Member must have length between 1 and 50'`);
    }
  }
}

/** A logo is a PNG or JPEG (the gallery's formats), as bytes. */
function checkLogo(blob: Uint8Array | undefined): Buffer | undefined {
  if (blob === undefined) return undefined;
  const bytes = Buffer.from(blob);
  if (bytes.length > MAX_LOGO_BYTES) {
    throw invalidParameter(`Invalid parameter at 'logoImageBlob' failed to satisfy constraint: 'Member must have length less than or equal to ${MAX_LOGO_BYTES}'`);
  }
  const png = bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  const jpeg = bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
  if (!png && !jpeg) throw invalidParameter('Invalid parameter at \'logoImageBlob\' failed to satisfy constraint: \'The logo image must be a PNG or JPEG image\'');
  return bytes;
}

/** The catalog data to store and the logo bytes, or InvalidParameterException. */
export function checkCatalogData(input: RepositoryCatalogDataInput | undefined): { catalog: CatalogData; logo?: Buffer } {
  const c = input ?? {};
  checkLength('catalogData.description', c.description, 1024);
  checkLength('catalogData.aboutText', c.aboutText, 10240);
  checkLength('catalogData.usageText', c.usageText, 10240);
  checkList('catalogData.architectures', c.architectures);
  checkList('catalogData.operatingSystems', c.operatingSystems);
  const logo = checkLogo(c.logoImageBlob);
  const catalog: CatalogData = {
    ...(c.description !== undefined ? { description: c.description } : {}),
    // Unlisted values are kept ("can be retrieved using the API but isn't discoverable in the gallery").
    ...(c.architectures ? { architectures: [...c.architectures] } : {}),
    ...(c.operatingSystems ? { operatingSystems: [...c.operatingSystems] } : {}),
    ...(c.aboutText !== undefined ? { aboutText: c.aboutText } : {}),
    ...(c.usageText !== undefined ? { usageText: c.usageText } : {}),
  };
  return { catalog, ...(logo ? { logo } : {}) };
}

export function getRepositoryCatalogData(ctx: RequestContext, input: GetRepositoryCatalogDataRequest): GetRepositoryCatalogDataResponse {
  return { catalogData: toCatalogData(ctx, requireRepo(ctx, input)) };
}

export function putRepositoryCatalogData(ctx: RequestContext, input: PutRepositoryCatalogDataRequest): PutRepositoryCatalogDataResponse {
  const repo = requireRepo(ctx, input);
  const { catalog, logo } = checkCatalogData(input.catalogData);
  return { catalogData: toCatalogData(ctx, savePublicCatalog(ctx.sql, repo, catalog, logo)) };
}

export function getRegistryCatalogData(ctx: RequestContext, _input: GetRegistryCatalogDataRequest): GetRegistryCatalogDataResponse {
  return { registryCatalogData: { displayName: ownRegistry(ctx).displayName } };
}

export function putRegistryCatalogData(ctx: RequestContext, input: PutRegistryCatalogDataRequest): PutRegistryCatalogDataResponse {
  const registry = ownRegistry(ctx);
  const displayName = input.displayName ?? registry.displayName;
  checkLength('displayName', displayName, 100);
  setPublicRegistryDisplayName(ctx.sql, ctx.account, displayName);
  return { registryCatalogData: { displayName } };
}
