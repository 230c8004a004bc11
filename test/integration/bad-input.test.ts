/**
 * Malformed requests, sent as raw HTTP to every operation Berth implements
 * (found at test time from the service models and the provider tables, so new
 * operations are covered as they land): missing required members, wrongly
 * typed members, oversized strings and garbage bodies. Each must be answered
 * with a 4xx error in the protocol's own error format, never a 2xx or a 5xx,
 * and Berth must stay up.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadModel, type Operation, type ServiceModel } from '../../src/protocol/model.js';
import type { Shape, StructureShape } from '../../src/protocol/schema.js';
import { lowerCamel, type Provider } from '../../src/services/provider.js';
import { useBerth } from '../helpers/use-berth.js';

const MB = 1024 * 1024;
/**
 * Longer than any string the models bound (the largest, SQS's MessageBody, is 256 KiB). A 1 MB string per member took
 * twice the time (this file was the suite's sixth slowest) for no case it did not already cover.
 */
const OVERSIZED = 'a'.repeat(300 * 1024);
const CONCURRENCY = 8;

interface Case {
  label: string;
  headers?: Record<string, string>;
  body: string | Buffer;
  /** A 200 is also right (well-formed input naming nothing that exists). */
  mayBeFound?: boolean;
  /** REST protocols (S3): the method and path; otherwise POST /. */
  method?: string;
  path?: string;
}

/** Operations of a service that its provider implements. */
async function implemented(serviceId: string, load: () => Promise<{ provider: object }>): Promise<Operation[]> {
  const model = loadModel(serviceId);
  const provider = (await load()).provider as Provider;
  return [...model.operations.values()].filter((op) => typeof provider[lowerCamel(op.name)] === 'function');
}

const ECS = loadModel('ecs');
const STS = loadModel('sts');
const ECS_OPS = await implemented('ecs', () => import('../../src/services/ecs/provider.js'));
const STS_OPS = await implemented('sts', () => import('../../src/services/sts/provider.js'));
const IAM = loadModel('iam');
const IAM_OPS = await implemented('iam', () => import('../../src/services/iam/provider.js'));
/** The other JSON services, swept the same way as ECS. */
const JSON_SERVICES: [ServiceModel, Operation[]][] = await Promise.all(([
  ['ecr', () => import('../../src/services/ecr/provider.js')],
  ['logs', () => import('../../src/services/logs/provider.js')],
  ['ssm', () => import('../../src/services/ssm/provider.js')],
  ['secrets-manager', () => import('../../src/services/secrets-manager/provider.js')],
  ['acm', () => import('../../src/services/acm/provider.js')],
] as const).map(async ([id, load]) => [loadModel(id), await implemented(id, load)] as [ServiceModel, Operation[]]));
const ELB = loadModel('elastic-load-balancing-v2');
const ELB_OPS = await implemented('elastic-load-balancing-v2', () => import('../../src/services/elastic-load-balancing-v2/provider.js'));
const S3 = loadModel('s3');
const S3_OPS = await implemented('s3', () => import('../../src/services/s3/provider.js'));

/** A SigV4 header whose scope names the service; Berth routes by it and does not check the signature. */
const auth = (service: string) =>
  `AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/${service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`;

// --- values by shape ---------------------------------------------------------

/** A value of the right type (not necessarily one the service accepts). */
function valid(shape: Shape, depth = 0): unknown {
  switch (shape.kind) {
    case 'string': return 'x';
    case 'number': case 'bigint': case 'bigdecimal': return 1;
    case 'boolean': return false;
    case 'timestamp': return 1_700_000_000;
    case 'blob': return 'eA==';
    case 'document': return {};
    case 'list': return [];
    case 'map': return {};
    case 'structure': return validStructure(shape, depth);
    default: return undefined;
  }
}

function validStructure(shape: StructureShape, depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (depth > 4) return out;
  const names = shape.isUnion ? shape.members.slice(0, 1).map((m) => m.name) : shape.required;
  for (const name of names) out[name] = valid(shape.byName.get(name)!.shape, depth + 1);
  return out;
}

/** JSON values of the wrong type for a shape (none for documents, which take anything). */
function wrongJson(shape: Shape): unknown[] {
  switch (shape.kind) {
    case 'string': return [12345, { a: 1 }];
    case 'number': case 'bigint': case 'bigdecimal': return ['not-a-number', [1]];
    case 'boolean': return ['yes', 1];
    case 'timestamp': return [{ a: 1 }, true];
    case 'blob': return [42, { a: 1 }];
    case 'list': return ['x', { a: 1 }];
    case 'map': return ['x', [1]];
    case 'structure': return ['x', [1], 7];
    default: return [];
  }
}

const describeValue = (v: unknown) => (Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v);

// --- awsJson (ECS) -------------------------------------------------------------

function jsonCases(model: ServiceModel, op: Operation): Case[] {
  const headers = {
    'content-type': 'application/x-amz-json-1.1',
    'x-amz-target': `${model.serviceTarget ?? model.entry.targetPrefix}.${op.name}`,
    authorization: auth(model.entry.signingNames[0]),
  };
  const base = validStructure(op.input);
  const cases: Case[] = [];
  const add = (label: string, body: unknown, mayBeFound = false) =>
    cases.push({ label, headers, body: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body), mayBeFound });

  for (const name of op.input.required) {
    const { [name]: _, ...rest } = base;
    add(`missing required ${name}`, rest);
    add(`required ${name} as null`, { ...base, [name]: null });
  }
  for (const member of op.input.members) {
    for (const wrong of wrongJson(member.shape)) add(`${member.name} (${member.shape.kind}) as ${describeValue(wrong)}`, { ...base, [member.name]: wrong });
    // One level down: each member of a structure, or of a structure inside a list.
    const inner = member.shape.kind === 'list' ? member.shape.member.shape : member.shape;
    if (inner.kind === 'structure') {
      const wrap = (v: unknown) => (member.shape.kind === 'list' ? [v] : v);
      for (const m of inner.members) {
        for (const wrong of wrongJson(m.shape)) {
          add(`${member.name}.${m.name} (${m.shape.kind}) as ${describeValue(wrong)}`, { ...base, [member.name]: wrap({ ...validStructure(inner), [m.name]: wrong }) });
        }
      }
    }
    // A huge name is well-formed input: lookups may answer 200 with it reported missing (failures[], an
    // empty page), as ECS does for any unknown name. Never a 5xx, and a 4xx must be well-formed.
    if (member.shape.kind === 'string') add(`${member.name} as a 300 KB string`, { ...base, [member.name]: OVERSIZED }, true);
    if (member.shape.kind === 'list' && member.shape.member.shape.kind === 'string') add(`${member.name} holding a 300 KB string`, { ...base, [member.name]: [OVERSIZED] }, true);
  }
  for (const [label, body] of GARBAGE_JSON) add(label, body);
  // Nesting far deeper than any shape, in a member the operation has (unknown members are ignored).
  const target = op.input.members.find((m) => m.shape.kind !== 'document');
  if (target) add(`${target.name} as a list nested 100,000 deep`, `{"${target.name}": ${'['.repeat(100_000)}${']'.repeat(100_000)}}`);
  return cases;
}

const GARBAGE_JSON: [string, string | Buffer][] = [
  ['a body that is not JSON', 'this is not json'],
  ['truncated JSON', '{"clusterName": "abc", "tags": [{"key": '],
  ['a JSON array', '[{"clusterName": "abc"}]'],
  ['a JSON string', '"clusterName"'],
  ['a JSON number', '42'],
  ['JSON null', 'null'],
  ['binary garbage', Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 7919 + 13) % 256))],
  ['a UTF-16 byte-order mark before the JSON', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('{}', 'utf16le')])],
];

function checkJsonError(status: number, headers: Headers, text: string): string | undefined {
  if (status < 400 || status > 499) return `status ${status}`;
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    return 'the error body is not JSON';
  }
  if (typeof body?.__type !== 'string' || !body.__type) return 'no __type';
  if (typeof (body.message ?? body.Message) !== 'string') return 'no message';
  if (!headers.get('x-amzn-requestid')) return 'no x-amzn-RequestId header';
  return undefined;
}

// --- awsQuery (STS) ------------------------------------------------------------

function queryCases(model: ServiceModel, op: Operation): Case[] {
  const headers = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', authorization: auth(model.entry.signingNames[0]) };
  const form = (params: Record<string, string>) => new URLSearchParams({ Action: op.name, Version: model.version, ...params }).toString();
  const base: Record<string, string> = {};
  for (const name of op.input.required) {
    const shape = op.input.byName.get(name)!.shape;
    if (shape.kind !== 'list' && shape.kind !== 'map' && shape.kind !== 'structure') base[name] = String(valid(shape));
    else base[`${name}.member.1`] = 'x';
  }
  const cases: Case[] = [];
  const add = (label: string, body: string | Buffer) => cases.push({ label, headers, body });
  for (const name of op.input.required) {
    add(`missing required ${name}`, form(Object.fromEntries(Object.entries(base).filter(([k]) => k.split('.')[0] !== name))));
  }
  // A query string carries text only: scalar members are the ones that can be mistyped.
  const WRONG: Partial<Record<Shape['kind'], string>> = { number: 'not-a-number', boolean: 'maybe', timestamp: 'not-a-date' };
  for (const member of op.input.members) {
    const wrong = WRONG[member.shape.kind];
    if (wrong) add(`${member.name} (${member.shape.kind}) as "${wrong}"`, form({ ...base, [member.name]: wrong }));
    if (member.shape.kind === 'string') add(`${member.name} as a 300 KB string`, form({ ...base, [member.name]: OVERSIZED }));
  }
  add('binary garbage', Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 7919 + 13) % 256)));
  add('a JSON body', JSON.stringify({ Action: op.name, Version: model.version }));
  add('no Action', new URLSearchParams({ Version: model.version, ...base }).toString());
  add('an empty Action', form({ ...base, Action: '' }));
  add('a truncated Action', form({ ...base, Action: op.name.slice(0, -3) }));
  return cases;
}

function checkQueryError(status: number, _headers: Headers, text: string): string | undefined {
  if (status < 400 || status > 499) return `status ${status}`;
  if (!/^(<\?xml[^>]*>\s*)?<ErrorResponse[\s>]/.test(text.trim())) return 'no <ErrorResponse>';
  if (!/<Error>[\s\S]*<Code>[^<]+<\/Code>[\s\S]*<\/Error>/.test(text)) return 'no <Error><Code>';
  if (!/<Message>/.test(text)) return 'no <Message>';
  if (!/<RequestId>[^<]+<\/RequestId>/.test(text)) return 'no <RequestId>';
  return undefined;
}

// --- restXml (S3) --------------------------------------------------------------

const S3_BUCKET = 'bad-input-bucket';

/** Requests to one S3 operation: bucket in the path (path style), literal query parts, required members filled in. */
function s3Cases(op: Operation): Case[] {
  const [template, literal = ''] = op.http!.uri.split('?');
  const method = op.http!.method.toUpperCase();
  const hasKey = template.includes('{Key+}');
  const baseHeaders: Record<string, string> = { authorization: auth('s3'), 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' };
  const required = op.input.required.map((n) => op.input.byName.get(n)!).filter((m) => m.name !== 'Bucket' && m.name !== 'Key');
  const request = (opts: { key?: string; drop?: string; query?: Record<string, string>; headers?: Record<string, string> } = {}) => {
    const q = new URLSearchParams(literal);
    const headers = { ...baseHeaders };
    for (const m of required) {
      if (m.name === opts.drop) continue;
      if (m.traits.httpQuery) q.set(m.traits.httpQuery, m.shape.kind === 'number' ? '1' : 'x');
      if (m.traits.httpHeader) headers[String(m.traits.httpHeader).toLowerCase()] = 'x';
    }
    for (const [k, v] of Object.entries(opts.query ?? {})) q.set(k, v);
    const qs = q.toString().replace(/=(&|$)/g, '$1');
    return { method, path: `/${S3_BUCKET}${hasKey ? `/${opts.key ?? 'some/key.txt'}` : ''}${qs ? `?${qs}` : ''}`, headers: { ...headers, ...opts.headers } };
  };
  const cases: Case[] = [];
  for (const m of required) {
    if (m.traits.httpQuery || m.traits.httpHeader) cases.push({ label: `missing required ${m.name}`, body: '', ...request({ drop: m.name }) });
  }
  // Strings carry anything; numbers, booleans and timestamps in a query or header can be mistyped.
  const WRONG: Partial<Record<Shape['kind'], string>> = { number: 'not-a-number', boolean: 'maybe', timestamp: 'not-a-date' };
  for (const m of op.input.members) {
    const wrong = WRONG[m.shape.kind];
    if (!wrong) continue;
    if (m.traits.httpQuery) cases.push({ label: `${m.name} (${m.shape.kind}) as "${wrong}"`, body: '', ...request({ query: { [m.traits.httpQuery]: wrong } }) });
    // (HTTP clients refuse to send a Content-Length that is not a number.)
    const header = String(m.traits.httpHeader ?? '').toLowerCase();
    if (header && header !== 'content-length') cases.push({ label: `${m.name} header (${m.shape.kind}) as "${wrong}"`, body: '', ...request({ headers: { [header]: wrong } }) });
  }
  if (hasKey) {
    cases.push({ label: 'a key over 1024 bytes', body: 'x', ...request({ key: 'k'.repeat(2000) }) });
    cases.push({ label: 'a key that is not valid percent-encoding', body: '', ...request({ key: 'bad%E0%A4%A' }) });
  }
  const payload = op.input.members.find((m) => m.traits.httpPayload);
  if (payload?.shape.kind === 'structure') {
    cases.push({ label: 'an XML payload that is binary garbage', body: Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 7919 + 13) % 256)), ...request() });
    cases.push({ label: 'a truncated XML payload', body: '<Delete><Object><Key>a</Key>', ...request() });
  }
  if (payload?.shape.kind === 'blob' && method === 'PUT') {
    cases.push({ label: 'an aws-chunked body with broken framing', body: 'zz\r\nhello\r\n0\r\n\r\n', ...request({ headers: { 'content-encoding': 'aws-chunked', 'x-amz-decoded-content-length': '5' } }) });
    cases.push({ label: 'a body shorter than its decoded length', body: '5\r\nhel', ...request({ headers: { 'content-encoding': 'aws-chunked', 'x-amz-decoded-content-length': '5' } }) });
    cases.push({ label: 'a Content-MD5 that is not an MD5', body: 'hello', ...request({ headers: { 'content-md5': 'bm90LW1kNQ==' } }) });
  }
  // CreateBucket of a new name is a 200, of course.
  const missing = `missing-${op.name.toLowerCase()}`;
  cases.push({ label: 'a bucket that does not exist', body: '', ...request(), path: request().path.replace(S3_BUCKET, missing), mayBeFound: op.name === 'CreateBucket' });
  return cases;
}

function checkS3Error(status: number, headers: Headers, text: string): string | undefined {
  if (status < 400 || status > 499) return `status ${status}`;
  if (!headers.get('x-amz-request-id')) return 'no x-amz-request-id header';
  // A HEAD has no body.
  if (!text) return undefined;
  if (!/^(<\?xml[^>]*>\s*)?<Error><Code>[^<]+<\/Code><Message>[^<]*<\/Message>[\s\S]*<RequestId>[^<]+<\/RequestId><\/Error>$/.test(text.trim())) return 'not an S3 <Error>';
  return undefined;
}

// --- running -----------------------------------------------------------------

/** fetch's types take a Uint8Array over an ArrayBuffer, not a Buffer. */
const bodyInit = (body: string | Buffer) => (typeof body === 'string' ? body : new Uint8Array(body));

type Check = (status: number, headers: Headers, text: string) => string | undefined;

/** Sends every case (a few at a time) and returns the ones answered wrongly. */
async function sendAll(endpoint: string, cases: Case[], check: Check): Promise<string[]> {
  const problems: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const c = cases[next++];
      try {
        const method = c.method ?? 'POST';
        const body = method === 'GET' || method === 'HEAD' ? undefined : bodyInit(c.body);
        const res = await fetch(`${endpoint}${c.path ?? '/'}`, { method, headers: c.headers, body, signal: AbortSignal.timeout(15_000) });
        const text = await res.text();
        const problem = c.mayBeFound && res.status === 200 ? undefined : check(res.status, res.headers, text);
        if (problem) problems.push(`${c.label}: ${problem}: ${text.slice(0, 160)}`);
      } catch (err) {
        problems.push(`${c.label}: request failed: ${(err as Error).message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return problems;
}

async function assertAlive(endpoint: string) {
  const res = await fetch(`${endpoint}/_berth/health`);
  assert.equal(res.status, 200);
  await res.text();
}

describe('malformed requests to every implemented operation get a 4xx in the protocol\'s error format', () => {
  const berth = useBerth();

  it('ECS implements at least the cluster operations (discovery works)', () => {
    for (const name of ['CreateCluster', 'DescribeClusters', 'ListClusters', 'DeleteCluster']) {
      assert.ok(ECS_OPS.some((op) => op.name === name), name);
    }
    assert.ok(STS_OPS.some((op) => op.name === 'GetCallerIdentity'));
  });

  for (const op of ECS_OPS) {
    it(`ECS ${op.name} answers missing, mistyped, oversized and garbage input with a JSON 4xx`, async () => {
      const problems = await sendAll(berth.endpoint, jsonCases(ECS, op), checkJsonError);
      assert.deepEqual(problems, []);
      await assertAlive(berth.endpoint);
    });
  }

  for (const op of STS_OPS) {
    it(`STS ${op.name} answers missing, mistyped, oversized and garbage input with an XML ErrorResponse 4xx`, async () => {
      const problems = await sendAll(berth.endpoint, queryCases(STS, op), checkQueryError);
      assert.deepEqual(problems, []);
      await assertAlive(berth.endpoint);
    });
  }

  for (const [model, ops] of JSON_SERVICES) {
    for (const op of ops) {
      it(`${model.entry.id} ${op.name} answers missing, mistyped, oversized and garbage input with a JSON 4xx`, async () => {
        const problems = await sendAll(berth.endpoint, jsonCases(model, op), checkJsonError);
        assert.deepEqual(problems, []);
        await assertAlive(berth.endpoint);
      });
    }
  }

  for (const op of ELB_OPS) {
    it(`ELBv2 ${op.name} answers missing, mistyped, oversized and garbage input with an XML ErrorResponse 4xx`, async () => {
      const problems = await sendAll(berth.endpoint, queryCases(ELB, op), checkQueryError);
      assert.deepEqual(problems, []);
      await assertAlive(berth.endpoint);
    });
  }

  for (const op of IAM_OPS) {
    it(`IAM ${op.name} answers missing, mistyped, oversized and garbage input with an XML ErrorResponse 4xx`, async () => {
      const problems = await sendAll(berth.endpoint, queryCases(IAM, op), checkQueryError);
      assert.deepEqual(problems, []);
      await assertAlive(berth.endpoint);
    });
  }

  it('S3 implements at least the object basics (discovery works)', () => {
    for (const name of ['CreateBucket', 'PutObject', 'GetObject', 'ListObjectsV2']) assert.ok(S3_OPS.some((op) => op.name === name), name);
  });

  for (const op of S3_OPS) {
    it(`S3 ${op.name} answers missing, mistyped, oversized and garbage input with an S3 <Error> 4xx`, async () => {
      const made = await fetch(`${berth.endpoint}/${S3_BUCKET}`, { method: 'PUT', headers: { authorization: auth('s3') } });
      assert.ok(made.status === 200, `bucket: ${made.status} ${await made.text()}`);
      const problems = await sendAll(berth.endpoint, s3Cases(op), checkS3Error);
      assert.deepEqual(problems, []);
      await assertAlive(berth.endpoint);
    });
  }
});

describe('requests the gateway cannot serve', () => {
  const berth = useBerth();

  const post = (headers: Record<string, string>, body: string | Buffer = '{}', path = '/') =>
    fetch(`${berth.endpoint}${path}`, { method: 'POST', headers, body: bodyInit(body) });

  it('an X-Amz-Target naming an operation ECS does not have is a 400 UnknownOperationException', async () => {
    const res = await post({ 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AmazonEC2ContainerServiceV20141113.LaunchRockets' });
    assert.equal(res.status, 400);
    const body = await res.json() as Record<string, string>;
    assert.equal(body.__type, 'UnknownOperationException');
    assert.match(body.message, /LaunchRockets/);
  });

  it('an X-Amz-Target with a service prefix but no operation is a 400 UnknownOperationException', async () => {
    const res = await post({ 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AmazonEC2ContainerServiceV20141113' });
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as Record<string, string>).__type, 'UnknownOperationException');
  });

  it('a request that names no service is a 400 that says how to address one', async () => {
    for (const res of [
      await post({ 'content-type': 'application/json' }),
      await post({ 'x-amz-target': 'NoSuchService_20990101.DoThing' }),
    ]) {
      assert.equal(res.status, 400);
      const body = await res.json() as Record<string, string>;
      assert.equal(body.__type, 'UnrecognizedClientException');
      assert.match(body.message, /SigV4|X-Amz-Target/);
    }
  });

  it('an unsigned GET of a path is S3 addressing (as on AWS): an anonymous request for a bucket nobody has', async () => {
    const res = await fetch(`${berth.endpoint}/some/where?x=1`);
    assert.equal(res.status, 404);
    assert.match(await res.text(), /<Code>NoSuchBucket<\/Code>/);
  });

  it('an unknown /_berth/ path is a JSON 404', async () => {
    const res = await fetch(`${berth.endpoint}/_berth/nope`);
    assert.equal(res.status, 404);
    assert.equal(((await res.json()) as Record<string, string>).error, 'NotFound');
  });

  it('a body over 64 MiB is refused with 413, and Berth stays up', async () => {
    const big = Buffer.alloc(64 * MB + 1, 0x20);
    const res = await post({ 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AmazonEC2ContainerServiceV20141113.ListClusters' }, big);
    assert.equal(res.status, 413);
    await res.text();
    await assertAlive(berth.endpoint);
  });
});
