/**
 * Synthetic operations in the SDK's own static-schema format, for wire traits
 * the installed service models do not happen to use (jsonName, httpPayload,
 * httpPrefixHeaders, httpResponseCode, xmlAttribute, flattened maps, each
 * timestamp format…). The same schema drives the real SDK serializer (through
 * a command built like the generated ones) and Berth's codec (through
 * `withOperations`), so neither side is hand-written.
 */
import { makeBuilder } from '@smithy/core/client';
import { getEndpointPlugin } from '@smithy/core/endpoints';

const COMMON_PARAMS = {
  UseFIPS: { type: 'builtInParams', name: 'useFipsEndpoint' },
  Endpoint: { type: 'builtInParams', name: 'endpoint' },
  Region: { type: 'builtInParams', name: 'region' },
  UseDualStack: { type: 'builtInParams', name: 'useDualstackEndpoint' },
} as const;

/** A Command class for a synthetic operation, usable with any client of that protocol. */
export function commandFor(service: string, clientName: string, schema: any[]): new (input: any) => any {
  const build = makeBuilder(COMMON_PARAMS, service, clientName, getEndpointPlugin) as any;
  return build({}, () => [], schema[2], schema);
}

// Schema type numbers: 0 string, 1 number, 2 boolean, 4 timestamp (protocol default),
// 5 date-time, 6 http-date, 7 epoch-seconds, 21 blob, 64|x list of x, 128|x map to x.

// ---------- awsQuery (spoken through STSClient) ----------
const QS = 'com.amazonaws.sts';
const QInner$: any = [3, QS, 'Inner', 0, ['Label', 'Score', 'Enabled'], [0, 1, 2]];
const QItemList$: any = [1, QS, 'ItemList', 0, [() => QInner$, { xmlName: 'Item' }]];
const QAttrMap$: any = [2, QS, 'AttrMap', 0, [0, { xmlName: 'Name' }], [0, { xmlName: 'Value' }]];
const QStructMap$: any = [2, QS, 'StructMap', 0, 0, () => QInner$];
const QFlatList$: any = [1, QS, 'FlatList', 0, 0];
const QUERY_MEMBERS = ['Name', 'Count', 'Ratio', 'Enabled', 'When', 'WhenEpoch', 'WhenHttp', 'Data', 'Kind', 'Renamed', 'Nested',
  'Strings', 'Flat', 'Items', 'Attrs', 'FlatAttrs', 'Structs', 'Empty'];
const QUERY_SCHEMAS = [0, 1, 1, 2, 4, 7, 6, 21, 0, [0, { xmlName: 'AliasName' }], () => QInner$,
  64 | 0, [() => QFlatList$, { xmlFlattened: 1, xmlName: 'FlatItem' }], () => QItemList$, 128 | 0,
  [() => QAttrMap$, { xmlFlattened: 1, xmlName: 'Attribute' }], () => QStructMap$, 64 | 0];
export const QueryOp$: any = [9, QS, 'SynthQuery', 0,
  () => [3, QS, 'SynthQueryRequest', 0, QUERY_MEMBERS, QUERY_SCHEMAS, 1],
  () => [3, QS, 'SynthQueryResponse', 0, QUERY_MEMBERS, QUERY_SCHEMAS]];

// ---------- ec2Query (spoken through EC2Client) ----------
const ES = 'com.amazonaws.ec2';
const EFilter$: any = [3, ES, 'Filter', 0, ['Name', 'Values'], [0, [() => EValueList$, { xmlName: 'Value' }]]];
const EValueList$: any = [1, ES, 'ValueList', 0, [0, { xmlName: 'item' }]];
const EFilterList$: any = [1, ES, 'FilterList', 0, [() => EFilter$, { xmlName: 'Filter' }]];
const EIdList$: any = [1, ES, 'IdList', 0, [0, { xmlName: 'InstanceId' }]];
const ETag$: any = [3, ES, 'Tag', 0, ['Key', 'Value'], [[0, { ec2QueryName: 'Key', xmlName: 'key' }], [0, { ec2QueryName: 'Value', xmlName: 'value' }]]];
const ETagList$: any = [1, ES, 'TagList', 0, [() => ETag$, { xmlName: 'item' }]];
const EThing$: any = [3, ES, 'Thing', 0, ['ThingId', 'Running', 'Launched', 'Tags', 'Cores'],
  [[0, { ec2QueryName: 'ThingId', xmlName: 'thingId' }], [2, { ec2QueryName: 'Running', xmlName: 'running' }],
    [4, { ec2QueryName: 'Launched', xmlName: 'launched' }], [() => ETagList$, { ec2QueryName: 'TagSet', xmlName: 'tagSet' }],
    [1, { ec2QueryName: 'Cores', xmlName: 'cores' }]]];
const EThingList$: any = [1, ES, 'ThingList', 0, [() => EThing$, { xmlName: 'item' }]];
export const Ec2Op$: any = [9, ES, 'SynthEc2', 0,
  () => [3, ES, 'SynthEc2Request', 0,
    ['DryRun', 'InstanceIds', 'Filters', 'lowerName', 'Since', 'Data', 'Tags', 'Count', 'Renamed'],
    [[2, { ec2QueryName: 'DryRun', xmlName: 'dryRun' }], [() => EIdList$, { xmlName: 'InstanceId' }],
      [() => EFilterList$, { xmlName: 'Filter' }], 0, 4, 21, [() => ETagList$, { xmlName: 'TagSpec' }], 1,
      [0, { xmlName: 'otherName' }]]],
  () => [3, ES, 'SynthEc2Result', 0, ['Things', 'NextToken', 'Ok', 'When'],
    [[() => EThingList$, { ec2QueryName: 'ThingSet', xmlName: 'thingSet' }], [0, { ec2QueryName: 'NextToken', xmlName: 'nextToken' }],
      [2, { ec2QueryName: 'Ok', xmlName: 'ok' }], [7, { ec2QueryName: 'When', xmlName: 'when' }]]]];

// ---------- restJson1 (spoken through EKSClient) ----------
const JS = 'com.amazonaws.eks';
const JInner$: any = [3, JS, 'JInner', 0, ['label', 'score'], [[0, { jsonName: 'the_label' }], 1]];
const JInnerList$: any = [1, JS, 'JInnerList', 0, () => JInner$];
const JStringMap$: any = [2, JS, 'JStringMap', 0, 0, 0];
const JListMap$: any = [2, JS, 'JListMap', 0, 0, 64 | 0];
export const RestJsonOp$: any = [9, JS, 'SynthRest', { http: ['POST', '/synth/{name}/items/{path+}?mode=full', 201] },
  () => [3, JS, 'SynthRestRequest', 0,
    ['name', 'path', 'count', 'tags', 'since', 'flag', 'when', 'ids', 'meta', 'extra', 'renamed', 'nested', 'items', 'lookup', 'data', 'created', 'ratio', 'createdIso'],
    [[0, { httpLabel: 1 }], [0, { httpLabel: 1 }], [1, { httpQuery: 'count' }], [64 | 0, { httpQuery: 'tag' }], [4, { httpQuery: 'since' }],
      [2, { httpHeader: 'X-Flag' }], [4, { httpHeader: 'X-When' }], [64 | 0, { httpHeader: 'X-Ids' }], [() => JStringMap$, { httpPrefixHeaders: 'X-Meta-' }],
      [() => JListMap$, { httpQueryParams: 1 }],
      [0, { jsonName: 'renamed_member' }], () => JInner$, () => JInnerList$, () => JStringMap$, 21, 4, 1, 5], 2],
  () => [3, JS, 'SynthRestResponse', 0,
    ['status', 'etag', 'when', 'meta', 'renamed', 'nested', 'items', 'lookup', 'data', 'created', 'ok'],
    [[1, { httpResponseCode: 1 }], [0, { httpHeader: 'ETag' }], [4, { httpHeader: 'X-When' }], [() => JStringMap$, { httpPrefixHeaders: 'X-Meta-' }],
      [0, { jsonName: 'renamed_member' }], () => JInner$, () => JInnerList$, () => JStringMap$, 21, 4, 2]]];
export const RestJsonBlobOp$: any = [9, JS, 'SynthBlob', { http: ['PUT', '/blobs/{key+}', 200] },
  () => [3, JS, 'SynthBlobRequest', 0, ['key', 'contentType', 'body'], [[0, { httpLabel: 1 }], [0, { httpHeader: 'Content-Type' }], [21, { httpPayload: 1 }]], 1],
  () => [3, JS, 'SynthBlobResponse', 0, ['doc'], [[() => JInner$, { httpPayload: 1 }]]]];
export const RestJsonTextOp$: any = [9, JS, 'SynthText', { http: ['GET', '/blobs/{key+}', 200] },
  () => [3, JS, 'SynthTextRequest', 0, ['key'], [[0, { httpLabel: 1 }]], 1],
  () => [3, JS, 'SynthTextResponse', 0, ['text'], [[0, { httpPayload: 1 }]]]];
/** The same path as SynthText with a literal segment: the more specific route must win. */
export const RestJsonLiteralOp$: any = [9, JS, 'SynthLiteral', { http: ['GET', '/blobs/special/latest', 200] },
  () => [3, JS, 'SynthLiteralRequest', 0, [], []],
  () => [3, JS, 'SynthLiteralResponse', 0, ['which'], [0]]];

// ---------- restXml (spoken through Route53Client) ----------
const XS = 'com.amazonaws.route53';
const XInner$: any = [3, XS, 'XInner', 0, ['Id', 'Label', 'Score'], [[0, { xmlAttribute: 1, xmlName: 'id' }], 0, 1]];
const XInnerList$: any = [1, XS, 'XInnerList', 0, [() => XInner$, { xmlName: 'Inner' }]];
const XFlatList$: any = [1, XS, 'XFlatList', 0, 0];
const XMap$: any = [2, XS, 'XMap', 0, 0, 0];
const XFlatMap$: any = [2, XS, 'XFlatMap', 0, [0, { xmlName: 'K' }], [0, { xmlName: 'V' }]];
const X_BODY = ['Renamed', 'Nested', 'Inners', 'Flat', 'Map', 'FlatMap', 'When', 'WhenEpoch', 'Data', 'Enabled', 'Ratio'];
const X_BODY_SCHEMAS = [[0, { xmlName: 'OtherName' }], () => XInner$, () => XInnerList$, [() => XFlatList$, { xmlFlattened: 1, xmlName: 'FlatItem' }],
  () => XMap$, [() => XFlatMap$, { xmlFlattened: 1, xmlName: 'Pair' }], 4, 7, 21, 2, 1];
export const RestXmlOp$: any = [9, XS, 'SynthXml', { http: ['POST', '/2013-04-01/synth/{Zone}/{Key+}?x-op=synth', 200] },
  () => [3, XS, 'SynthXmlRequest', { xmlName: 'SynthXmlRequest' },
    ['Zone', 'Key', 'Max', 'Since', 'Token', 'Stamp', ...X_BODY],
    [[0, { httpLabel: 1 }], [0, { httpLabel: 1 }], [1, { httpQuery: 'max' }], [6, { httpQuery: 'since' }], [0, { httpHeader: 'X-Token' }],
      [4, { httpHeader: 'X-Stamp' }], ...X_BODY_SCHEMAS], 2],
  () => [3, XS, 'SynthXmlResponse', 0, ['Code', 'Location', ...X_BODY],
    [[1, { httpResponseCode: 1 }], [0, { httpHeader: 'Location' }], ...X_BODY_SCHEMAS]]];
export const RestXmlPayloadOp$: any = [9, XS, 'SynthXmlPayload', { http: ['PUT', '/2013-04-01/doc/{Name}', 200] },
  () => [3, XS, 'SynthXmlPayloadRequest', 0, ['Name', 'Doc'], [[0, { httpLabel: 1 }], [() => XInner$, { httpPayload: 1, xmlName: 'Document' }]], 1],
  () => [3, XS, 'SynthXmlPayloadResponse', 0, ['Bytes', 'Kind'], [[21, { httpPayload: 1 }], [0, { httpHeader: 'Content-Type' }]]]];

// ---------- synthetic errors, registered where the SDK looks them up ----------
export const RestJsonError$: any = [-3, JS, 'SynthFailure', { error: 'client', httpError: 409 },
  ['message', 'reason', 'retryAfter', 'ids'], [0, [0, { jsonName: 'the_reason' }], [1, { httpHeader: 'Retry-After' }], 64 | 0]];
export const RestXmlError$: any = [-3, XS, 'SynthXmlFailure', { error: 'client', httpError: 429 },
  ['message', 'Reason', 'Reasons', 'RetryAfter'], [0, [0, { xmlName: 'WhyNot' }], [() => XFlatList$, { xmlName: 'Reasons' }], [1, { httpHeader: 'Retry-After' }]]];

/** Registers an error schema in a client's own error registry, with a constructor from its base exception. */
export function registerError(registries: any[], namespace: string, schema: any[], Base: any): any {
  const registry = registries.find((r) => r.namespace === namespace);
  const Ctor = class extends Base {
    constructor(opts: any) {
      super({ name: schema[2], $fault: 'client', ...opts });
      // As the generated exceptions do: the base class resets the prototype to its own.
      Object.setPrototypeOf(this, Ctor.prototype);
    }
  };
  Object.defineProperty(Ctor, 'name', { value: schema[2] });
  registry.registerError(schema, Ctor);
  return Ctor;
}

// ---------- awsJson (spoken through ECSClient) ----------
const CS = 'com.amazonaws.ecs';
const CInner$: any = [3, CS, 'CInner', 0, ['label', 'when'], [0, 4]];
const JSON_MEMBERS = ['name', 'renamed', 'count', 'ratio', 'enabled', 'when', 'data', 'doc', 'nested', 'items', 'lookup', 'deep'];
const JSON_SCHEMAS = [0, [0, { jsonName: 'ignored_by_awsJson' }], 1, 1, 2, 4, 21, 15, () => CInner$, [1, CS, 'CInnerList', 0, () => CInner$],
  [2, CS, 'CMap', 0, 0, 1], [2, CS, 'CDeepMap', 0, 0, [1, CS, 'CDeepList', 0, () => CInner$]]];
export const JsonOp$: any = [9, CS, 'SynthJson', 0,
  () => [3, CS, 'SynthJsonRequest', 0, JSON_MEMBERS, JSON_SCHEMAS, 1],
  () => [3, CS, 'SynthJsonResponse', 0, JSON_MEMBERS, JSON_SCHEMAS]];
/** A date-time member in a JSON body (no installed model has one yet). */
export const JsonIsoOp$: any = [9, CS, 'SynthJsonIso', 0,
  () => [3, CS, 'SynthJsonIsoRequest', 0, ['at'], [5]],
  () => [3, CS, 'SynthJsonIsoResponse', 0, ['at'], [5]]];
