/**
 * Malformed requests over real HTTP to a real Berth: every protocol answers a
 * 4xx in its own error format, never a 500.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useBerth } from '../helpers/use-berth.js';

const auth = (service: string) =>
  `AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=00`;
const FORM = 'application/x-www-form-urlencoded; charset=utf-8';

interface Probe {
  title: string;
  service: string;
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  status: number;
  /** A pattern the error body must match (its protocol's error format and code). */
  body_re: RegExp;
}

const PROBES: Probe[] = [
  { title: 'awsQuery: bad percent-encoding', service: 'sts', headers: { 'content-type': FORM }, body: 'Action=GetCallerIdentity&Version=2011-06-15&X=%ZZ', status: 400, body_re: /<ErrorResponse[^>]*><Error><Type>Sender<\/Type><Code>MalformedQueryString<\/Code>/ },
  { title: 'awsQuery: no Action', service: 'sts', headers: { 'content-type': FORM }, body: 'Version=2011-06-15', status: 400, body_re: /<Code>MissingAction<\/Code>/ },
  { title: 'awsQuery: unknown Action', service: 'sts', headers: { 'content-type': FORM }, body: 'Action=Nope&Version=2011-06-15', status: 400, body_re: /<Code>InvalidAction<\/Code>/ },
  { title: 'awsQuery: wrongly typed member', service: 'sts', headers: { 'content-type': FORM }, body: 'Action=AssumeRole&Version=2011-06-15&RoleArn=arn:aws:iam::1:role/r&RoleSessionName=sess&DurationSeconds=soon', status: 400, body_re: /<Code>ValidationError<\/Code><Message>1 validation error detected: Value 'soon' at 'durationSeconds'/ },
  { title: 'awsQuery: binary garbage', service: 'elasticloadbalancing', headers: { 'content-type': FORM }, body: Buffer.from([0xff, 0xfe, 0x00, 0x25, 0x41, 0x26, 0x3d]), status: 400, body_re: /<ErrorResponse/ },
  { title: 'awsQuery to SQS: unknown Action', service: 'sqs', headers: { 'content-type': FORM }, body: 'Action=Nope&Version=2012-11-05', status: 400, body_re: /<Code>InvalidAction<\/Code>/ },
  { title: 'ec2Query: bad percent-encoding', service: 'ec2', headers: { 'content-type': FORM }, body: 'Action=DescribeVpcs&Version=2016-11-15&VpcId.1=%E0%A4%A', status: 400, body_re: /<Response><Errors><Error><Code>MalformedQueryString<\/Code>/ },
  { title: 'ec2Query: unknown Action', service: 'ec2', headers: { 'content-type': FORM }, body: 'Action=Nope&Version=2016-11-15', status: 400, body_re: /<Code>InvalidAction<\/Code>/ },
  { title: 'restJson1: body is not JSON', service: 'eks', method: 'POST', path: '/clusters', headers: { 'content-type': 'application/json' }, body: '{"name":', status: 400, body_re: /"message"/ },
  { title: 'restJson1: wrongly typed member', service: 'eks', method: 'POST', path: '/clusters', headers: { 'content-type': 'application/json' }, body: '{"name":["x"],"roleArn":"r","resourcesVpcConfig":{}}', status: 400, body_re: /'name'/ },
  { title: 'restJson1: unknown route', service: 'eks', method: 'DELETE', path: '/nowhere', status: 404, body_re: /"message"/ },
  { title: 'restJson1: bad label encoding', service: 'eks', method: 'GET', path: '/clusters/%E0%A4%A', status: 400, body_re: /"message"/ },
  { title: 'restXml: body is not XML', service: 'route53', method: 'POST', path: '/2013-04-01/hostedzone', headers: { 'content-type': 'application/xml' }, body: '<CreateHostedZoneRequest><Name>x</Name>', status: 400, body_re: /<ErrorResponse[^>]*><Error><Type>Sender<\/Type><Code>InvalidInput<\/Code>/ },
  { title: 'restXml: DOCTYPE', service: 'route53', method: 'POST', path: '/2013-04-01/hostedzone', headers: { 'content-type': 'application/xml' }, body: '<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>', status: 400, body_re: /<Code>InvalidInput<\/Code>/ },
  { title: 'restXml: unknown route', service: 'route53', method: 'GET', path: '/2013-04-01/nowhere', status: 404, body_re: /<Code>UnknownOperationException<\/Code>/ },
  { title: 'awsJson: body is not JSON', service: 'ecs', headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AmazonEC2ContainerServiceV20141113.ListClusters' }, body: 'not json', status: 400, body_re: /SerializationException/ },
];

describe('malformed requests over HTTP', () => {
  const berth = useBerth();

  const send = (p: Omit<Probe, 'title' | 'status' | 'body_re'>) => fetch(`${berth.endpoint}${p.path ?? '/'}`, {
    method: p.method ?? 'POST',
    headers: { authorization: auth(p.service), ...p.headers },
    body: p.method === 'GET' ? undefined : (p.body as BodyInit | undefined),
  });

  for (const p of PROBES) {
    it(`${p.title} → ${p.status}`, async () => {
      const res = await send(p);
      const text = await res.text();
      assert.equal(res.status, p.status, text);
      assert.match(text, p.body_re);
    });
  }

  it('random bytes to every protocol never produce a 500', async () => {
    let seed = 42;
    const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const alphabet = '<>/&=%.?"\'[]{}:,01aAzZ \n\u0000\u00ff';
    const targets = [
      { service: 'sts', headers: { 'content-type': FORM } },
      { service: 'ec2', headers: { 'content-type': FORM } },
      { service: 'sqs', headers: { 'content-type': FORM } },
      { service: 'eks', method: 'POST', path: '/clusters', headers: { 'content-type': 'application/json' } },
      { service: 'route53', method: 'POST', path: '/2013-04-01/hostedzone', headers: { 'content-type': 'application/xml' } },
    ];
    for (const t of targets) {
      for (let i = 0; i < 40; i++) {
        let body = t.service === 'route53' ? '<a>' : t.service === 'eks' ? '{' : 'Action=';
        const n = Math.floor(rand() * 60);
        for (let j = 0; j < n; j++) body += alphabet[Math.floor(rand() * alphabet.length)];
        const res = await send({ ...t, body });
        await res.arrayBuffer();
        assert.ok(res.status < 500 || res.status === 501, `${t.service} ${JSON.stringify(body)} → ${res.status}`);
      }
    }
  });
});
