import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  Route53Client, ChangeResourceRecordSetsCommand, ListHostedZonesCommand, GetHostedZoneCommand, ChangeTagsForResourceCommand, CreateHostedZoneCommand,
  NoSuchHostedZone, InvalidChangeBatch, InvalidInput, Route53ServiceException, errorTypeRegistries,
} from '@aws-sdk/client-route-53';
import { AwsError, notImplemented } from './errors.js';
import { loadModel } from './model.js';
import { CLIENT_BASE, harness, runCodec, withErrors, withOperations } from './test-support/harness.js';
import { RestXmlError$, RestXmlOp$, RestXmlPayloadOp$, commandFor, registerError } from './test-support/synthetic.js';
import { normalize, wireRequest } from './test-support/util.js';

const r53 = loadModel('route-53');
const client = (h: ReturnType<typeof harness>) => new Route53Client({ ...CLIENT_BASE, requestHandler: h.requestHandler });

describe('restXml through the real SDK (Route 53)', () => {
  it('ChangeResourceRecordSets reads the XML body by xmlName and writes ChangeInfo with an ISO timestamp', async () => {
    const submitted = new Date('2024-07-08T09:10:11.250Z');
    const h = harness('restXml', r53, () => ({ ChangeInfo: { Id: '/change/C1', Status: 'PENDING', SubmittedAt: submitted, Comment: 'c' } }));
    const batch = {
      Comment: 'a & b',
      Changes: [
        { Action: 'UPSERT', ResourceRecordSet: { Name: 'www.example.com.', Type: 'A', TTL: 60, ResourceRecords: [{ Value: '10.0.0.1' }, { Value: '10.0.0.2' }] } },
        { Action: 'DELETE', ResourceRecordSet: { Name: 'old.example.com.', Type: 'CNAME', AliasTarget: { HostedZoneId: 'Z2', DNSName: 'lb.', EvaluateTargetHealth: false } } },
      ],
    };
    const out = await client(h).send(new ChangeResourceRecordSetsCommand({ HostedZoneId: '/hostedzone/Z1', ChangeBatch: batch as any }));
    assert.equal(h.last().wire.rawPath, '/2013-04-01/hostedzone/Z1/rrset');
    assert.match(h.last().wire.body.toString(), /<Changes><Change><Action>UPSERT<\/Action>/);
    assert.deepEqual(h.last().input, { HostedZoneId: 'Z1', ChangeBatch: batch });
    assert.deepEqual(out.ChangeInfo, { Id: '/change/C1', Status: 'PENDING', SubmittedAt: submitted, Comment: 'c' });
    assert.match(String(h.last().response?.body), /^<\?xml version="1.0" encoding="UTF-8"\?><ChangeResourceRecordSetsResponse xmlns="https:\/\/route53.amazonaws.com\/doc\/2013-04-01\/">/);
  });

  it('ListHostedZones reads query members; GetHostedZone reads its label and writes member-named lists', async () => {
    const zone = { Id: '/hostedzone/Z1', Name: 'example.com.', CallerReference: 'ref', Config: { Comment: 'x', PrivateZone: false }, ResourceRecordSetCount: 2 };
    const h = harness('restXml', r53, (op) => (op === 'ListHostedZones'
      ? { HostedZones: [zone], Marker: 'm', IsTruncated: false, MaxItems: 1 }
      : { HostedZone: zone, DelegationSet: { NameServers: ['ns1.example.', 'ns2.example.'] }, VPCs: [{ VPCRegion: 'us-east-1', VPCId: 'vpc-1' }] }));
    const r = client(h);
    const listed = await r.send(new ListHostedZonesCommand({ MaxItems: 1, Marker: 'm' }));
    assert.deepEqual(h.last().input, { MaxItems: 1, Marker: 'm' });
    assert.deepEqual(listed.HostedZones, [zone]);
    assert.equal(listed.IsTruncated, false);
    const got = await r.send(new GetHostedZoneCommand({ Id: 'Z1' }));
    assert.deepEqual(h.last().input, { Id: 'Z1' });
    assert.deepEqual(got.DelegationSet?.NameServers, ['ns1.example.', 'ns2.example.']);
    assert.deepEqual(got.VPCs, [{ VPCRegion: 'us-east-1', VPCId: 'vpc-1' }]);
    assert.match(String(h.last().response?.body), /<NameServers><NameServer>ns1.example.<\/NameServer>/);
  });

  it('ChangeTagsForResource takes two labels and lists with renamed members', async () => {
    const h = harness('restXml', r53, () => ({}));
    await client(h).send(new ChangeTagsForResourceCommand({
      ResourceType: 'hostedzone', ResourceId: 'Z1', AddTags: [{ Key: 'k', Value: 'v' }], RemoveTagKeys: ['old', 'older'],
    }));
    assert.deepEqual(h.last().input, { ResourceType: 'hostedzone', ResourceId: 'Z1', AddTags: [{ Key: 'k', Value: 'v' }], RemoveTagKeys: ['old', 'older'] });
    assert.equal(h.last().response?.body, '');
  });

  it('errors are <ErrorResponse> with the modeled status, code, message and fields', async () => {
    const h = harness('restXml', r53, (op) => {
      if (op === 'GetHostedZone') throw new AwsError('NoSuchHostedZone', 'No hosted zone found with ID: Z9');
      throw new AwsError('InvalidChangeBatch', 'Invalid change batch', { fields: { messages: ['RRSet already exists', 'bad TTL'] } });
    });
    const r = client(h);
    const missing = await r.send(new GetHostedZoneCommand({ Id: 'Z9' })).catch((e) => e);
    assert.ok(missing instanceof NoSuchHostedZone, String(missing));
    assert.equal(missing.$metadata.httpStatusCode, 404);
    assert.equal(missing.message, 'No hosted zone found with ID: Z9');
    assert.match(String(h.last().response?.body), /<ErrorResponse xmlns="https:\/\/route53.amazonaws.com\/doc\/2013-04-01\/"><Error><Type>Sender<\/Type><Code>NoSuchHostedZone<\/Code>/);
    const invalid = await r.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: 'Z1', ChangeBatch: { Changes: [] } })).catch((e) => e);
    assert.ok(invalid instanceof InvalidChangeBatch, String(invalid));
    assert.deepEqual(invalid.messages, ['RRSet already exists', 'bad TTL']);
    assert.equal(invalid.$metadata.httpStatusCode, 400);
  });

  it('a missing required member is InvalidInput; an unimplemented operation is 501', async () => {
    const h = harness('restXml', r53, () => { throw notImplemented('route-53', 'ListHostedZones'); });
    const r = client(h);
    const bad = await r.send(new CreateHostedZoneCommand({ Name: 'example.com.' } as any)).catch((e) => e);
    assert.ok(bad instanceof InvalidInput, String(bad));
    assert.match(bad.message, /Value null at 'CallerReference'/);
    const todo = await r.send(new ListHostedZonesCommand({})).catch((e) => e);
    assert.equal(todo.name, 'InternalFailure');
    assert.equal(todo.$metadata.httpStatusCode, 501);
  });
});

describe('restXml wire rules (synthetic operations through the Route 53 client)', () => {
  const model = withErrors(withOperations(r53, [RestXmlOp$, RestXmlPayloadOp$]), [RestXmlError$]);
  const SynthXml = commandFor('AWSDnsV20130401', 'Route53Client', RestXmlOp$);
  const SynthXmlPayload = commandFor('AWSDnsV20130401', 'Route53Client', RestXmlPayloadOp$);
  const SynthXmlFailure = registerError(errorTypeRegistries as any[], 'com.amazonaws.route53', RestXmlError$, Route53ServiceException);
  const body = {
    Renamed: 'r <&>', Nested: { Id: 'attr"1', Label: 'l', Score: 3 }, Inners: [{ Id: 'a', Label: 'x' }, { Score: 1 }],
    Flat: ['f1', 'f2'], Map: { k1: 'v1', k2: 'v2' }, FlatMap: { a: '1', b: '2' },
    When: new Date('2024-01-02T03:04:05.123Z'), WhenEpoch: new Date('2024-01-02T03:04:05Z'), Data: Buffer.from('xml bytes'), Enabled: true, Ratio: 2.5,
  };

  it('labels, query (http-date too), headers and every XML body form arrive', async () => {
    const input = { Zone: 'Z 1', Key: 'a/b c', Max: 10, Since: new Date('2024-01-02T03:04:05Z'), Token: 't', Stamp: new Date('2024-01-02T03:04:05Z'), ...body };
    const h = harness('restXml', model, () => ({}));
    await client(h).send(new SynthXml(input));
    const xml = h.last().wire.body.toString();
    assert.match(xml, /<SynthXmlRequest xmlns="https:\/\/route53.amazonaws.com\/doc\/2013-04-01\/">/);
    assert.match(xml, /<Nested id="attr&quot;1">/);
    assert.match(xml, /<Pair><K>a<\/K><V>1<\/V><\/Pair>/);
    assert.deepEqual(normalize(h.last().input), normalize(input));
  });

  it('the response sets the status code and headers and an XML body the SDK reads', async () => {
    const h = harness('restXml', model, () => ({ Code: 201, Location: '/synth/1', ...body }));
    const out = await client(h).send(new SynthXml({ Zone: 'z', Key: 'k' }));
    assert.equal(h.last().response?.status, 201);
    assert.deepEqual(normalize(out), normalize({ Code: 201, Location: '/synth/1', ...body }));
    const xml = String(h.last().response?.body);
    assert.match(xml, /<SynthXmlResponse xmlns="[^"]+"><OtherName>r &lt;&amp;&gt;<\/OtherName><Nested id="attr&quot;1"><Label>l<\/Label>/);
    assert.match(xml, /<Inners><Inner id="a"><Label>x<\/Label><\/Inner><Inner><Score>1<\/Score><\/Inner><\/Inners><FlatItem>f1<\/FlatItem><FlatItem>f2<\/FlatItem>/);
    assert.match(xml, /<Map><entry><key>k1<\/key><value>v1<\/value><\/entry>/);
  });

  it('a structure payload is the whole body under its xmlName; a blob payload is raw bytes', async () => {
    const h = harness('restXml', model, () => ({ Bytes: Buffer.from([0, 1, 2, 250]), Kind: 'application/x-raw' }));
    const out: any = await client(h).send(new SynthXmlPayload({ Name: 'doc', Doc: { Id: 'i', Label: 'payload', Score: 1 } }));
    assert.match(h.last().wire.body.toString(), /<Document[ >]/);
    assert.deepEqual(h.last().input, { Name: 'doc', Doc: { Id: 'i', Label: 'payload', Score: 1 } });
    assert.deepEqual([...(out.Bytes as Uint8Array)], [0, 1, 2, 250]);
    assert.equal(out.Kind, 'application/x-raw');
  });

  it('error fields by xmlName, in lists, and in headers', async () => {
    const h = harness('restXml', model, () => {
      throw new AwsError('SynthXmlFailure', 'Slow down', { fields: { Reason: 'quota', Reasons: ['a', 'b'], RetryAfter: 5 } });
    });
    const err = await client(h).send(new SynthXml({ Zone: 'z', Key: 'k' })).catch((e) => e);
    assert.ok(err instanceof SynthXmlFailure, String(err));
    assert.equal(err.$metadata.httpStatusCode, 429);
    assert.equal(err.message, 'Slow down');
    assert.equal(err.Reason, 'quota');
    assert.deepEqual(err.Reasons, ['a', 'b']);
    assert.equal(err.RetryAfter, 5);
    assert.match(String(h.last().response?.body), /<Message>Slow down<\/Message><WhyNot>quota<\/WhyNot><Reasons><member>a<\/member>/);
  });
});

describe('restXml malformed requests', () => {
  const xmlBody = (body: string, path = '/2013-04-01/hostedzone/Z1/rrset') =>
    runCodec('restXml', r53, wireRequest({ method: 'POST', path, body, headers: { 'content-type': 'application/xml' } }), () => ({ ChangeInfo: { Id: 'c', Status: 'PENDING', SubmittedAt: new Date() } }));

  it('XML that is not well-formed is 400 InvalidInput', () => {
    for (const body of ['<ChangeResourceRecordSetsRequest><ChangeBatch>', '<a></b>', 'not xml', '<a>&bogus;</a>', '<a x=1/>', '<a/><b/>']) {
      const res = xmlBody(body);
      assert.equal(res.status, 400, body);
      assert.match(String(res.body), /<Code>InvalidInput<\/Code>/, body);
    }
  });

  it('a DOCTYPE (entity expansion) is refused with 400', () => {
    const res = xmlBody('<!DOCTYPE x [<!ENTITY a "aaaa">]><ChangeResourceRecordSetsRequest>&a;</ChangeResourceRecordSetsRequest>');
    assert.equal(res.status, 400);
  });

  it('a wrongly typed member is 400 InvalidInput', () => {
    const res = xmlBody('<ChangeResourceRecordSetsRequest><ChangeBatch><Changes><Change><Action>UPSERT</Action><ResourceRecordSet><Name>a</Name><Type>A</Type><TTL>soon</TTL></ResourceRecordSet></Change></Changes></ChangeBatch></ChangeResourceRecordSetsRequest>');
    assert.equal(res.status, 400);
    assert.match(String(res.body), /TTL/);
  });

  it('a well-formed body is accepted with any root name, namespace prefixes and CDATA', () => {
    const res = xmlBody('<?xml version="1.0"?><!-- c --><r53:Req xmlns:r53="x"><r53:ChangeBatch><Changes><Change><Action><![CDATA[CREATE]]></Action><ResourceRecordSet><Name>a&#46;</Name><Type>A</Type></ResourceRecordSet></Change></Changes></r53:ChangeBatch></r53:Req>');
    assert.equal(res.status, 200, String(res.body));
  });

  it('an unknown route is 404 UnknownOperationException', () => {
    const res = xmlBody('', '/2013-04-01/nothing-here');
    assert.equal(res.status, 404);
    assert.match(String(res.body), /UnknownOperationException/);
  });
});
