/**
 * The OpenAPI documents kubectl reads, reduced to what it uses them for. Without /openapi/v2 `kubectl apply`
 * fails before sending anything: its validator needs the v2 document to parse (kubectl's factory `Validator`
 * returns the error of `OpenAPISchema()`). Without an /openapi/v3 document whose PATCH operations declare
 * the `fieldValidation` parameter, kubectl validates on the client against the v2 schemas instead of letting
 * the server validate. Strategic merge patches kubectl computes from its own compiled-in types when the
 * documents carry no schema for a kind, so the documents here carry none: no hand-written copies of the
 * Kubernetes schemas (the maintained source of those is the kubernetes/kubernetes api/openapi-spec, which
 * Berth does not ship; README.md).
 */
import { createHash } from 'node:crypto';
import { apiVersionOf, groupVersions, RESOURCES, type ResourceType } from './resources.js';

export const OPENAPI_V2_PROTOBUF = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';

/** A protobuf length-delimited field. */
const field = (n: number, bytes: Buffer) => Buffer.concat([Buffer.from([(n << 3) | 2, bytes.length]), bytes]);

/** openapi_v2.Document { swagger: "2.0" } in protobuf (gnostic's OpenAPIv2.proto: `string swagger = 1`): no paths, no definitions. */
export function openApiV2Protobuf(): Buffer {
  return field(1, Buffer.from('2.0'));
}

export const openApiV2Json = (gitVersion: string) => ({ swagger: '2.0', info: { title: 'Kubernetes', version: gitVersion }, paths: {}, definitions: {} });

const gvPath = (g: { group: string; version: string }) => (g.group ? `apis/${g.group}/${g.version}` : `api/${g.version}`);

function gvDocument(group: string, version: string, gitVersion: string) {
  const patchTypes = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml'];
  const paths: Record<string, unknown> = {};
  for (const r of RESOURCES.filter((x) => x.group === group && x.version === version)) {
    const base = `/${gvPath(r)}${r.namespaced ? '/namespaces/{namespace}' : ''}/${r.resource}/{name}`;
    paths[base] = {
      patch: {
        operationId: `patch${r.kind}`,
        'x-kubernetes-action': 'patch',
        'x-kubernetes-group-version-kind': gvk(r),
        parameters: ['dryRun', 'fieldManager', 'fieldValidation', 'force'].map((name) => ({ name, in: 'query', schema: { type: name === 'force' ? 'boolean' : 'string', uniqueItems: true } })),
        requestBody: { content: Object.fromEntries(patchTypes.map((t) => [t, { schema: { type: 'object' } }])), required: true },
        responses: { 200: { description: 'OK' } },
      },
    };
  }
  return { openapi: '3.0.0', info: { title: 'Kubernetes', version: gitVersion }, paths, components: { schemas: {} } };
}

const gvk = (r: ResourceType) => ({ group: r.group, version: r.version, kind: r.kind });

/** The /openapi/v3 index: each group/version's document and the hash clients cache it by. */
export function openApiV3Index(gitVersion: string) {
  return {
    paths: Object.fromEntries(groupVersions().map((g) => {
      const hash = createHash('sha512').update(JSON.stringify(gvDocument(g.group, g.version, gitVersion))).digest('hex').slice(0, 128).toUpperCase();
      return [gvPath(g), { serverRelativeURL: `/openapi/v3/${gvPath(g)}?hash=${hash}` }];
    })),
  };
}

/** /openapi/v3/api/v1, /openapi/v3/apis/apps/v1; undefined for a group/version not served. */
export function openApiV3Document(path: string, gitVersion: string) {
  const g = groupVersions().find((x) => gvPath(x) === path);
  return g ? gvDocument(g.group, g.version, gitVersion) : undefined;
}

export { apiVersionOf };
