/**
 * ACM certificates on ELBv2 listeners through the v3 SDKs: HTTPS and TLS
 * listeners, their security policies and SNI certificates, and ACM's view of
 * certificates in use.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ACMClient, DeleteCertificateCommand, DescribeCertificateCommand, ListCertificatesCommand, RequestCertificateCommand,
} from '@aws-sdk/client-acm';
import {
  AddListenerCertificatesCommand, CreateListenerCommand, CreateLoadBalancerCommand, CreateTargetGroupCommand, DeleteListenerCommand,
  DescribeListenerCertificatesCommand, DescribeListenersCommand, DescribeSSLPoliciesCommand, ElasticLoadBalancingV2Client,
  ModifyListenerCommand, RemoveListenerCertificatesCommand, type LoadBalancer, type TargetGroup,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { VALIDATION_DELAY_MS } from '../../../src/services/acm/request.js';
import { useBerth } from '../../helpers/use-berth.js';
import { defaultSubnets, eventually, freePort, rejectsWith } from '../../helpers/elbv2.js';

describe('ACM certificates on load balancer listeners', () => {
  const berth = useBerth({ runtime: 'fake', clients: { acm: ACMClient, elb: ElasticLoadBalancingV2Client } });
  let alb: LoadBalancer;
  let nlb: LoadBalancer;
  let web: TargetGroup;
  let tcp: TargetGroup;
  let main: string;
  let extra: string;
  let listenerArn: string;
  const forward = (tg: TargetGroup) => [{ Type: 'forward' as const, TargetGroupArn: tg.TargetGroupArn }];

  const request = async (DomainName: string) =>
    (await berth.acm.send(new RequestCertificateCommand({ DomainName, ValidationMethod: 'DNS' }))).CertificateArn!;
  /**
   * What `use` does with a certificate requested just before it, while ACM still reports it PENDING_VALIDATION (Berth's
   * local CA issues it VALIDATION_DELAY_MS after the request). A busy machine may take longer than that from the request
   * to `use`'s answer, which then cannot tell: `undo` reverses whatever it did and a new certificate is tried.
   */
  let requests = 0;
  const whilePending = async (use: (arn: string) => Promise<unknown>, undo: (arn: string) => Promise<unknown>): Promise<unknown> => {
    for (let attempt = 0; attempt < 5; attempt++) {
      const started = Date.now();
      const arn = await request(`later${++requests}.example.com`);
      const outcome = await use(arn).then((ok) => ({ ok }), (err: unknown) => ({ err }));
      if (Date.now() - started < VALIDATION_DELAY_MS) {
        if ('err' in outcome) throw outcome.err;
        return outcome.ok;
      }
      if ('ok' in outcome) await undo(arn);
    }
    throw new Error(`no request and use of a certificate took less than ${VALIDATION_DELAY_MS} ms in 5 tries`);
  };
  const issued = (arn: string) => eventually(async () =>
    (await berth.acm.send(new DescribeCertificateCommand({ CertificateArn: arn }))).Certificate!.Status === 'ISSUED', 10_000, 200);

  before(async () => {
    const { ids, vpcId } = await defaultSubnets(berth.endpoint);
    alb = (await berth.elb.send(new CreateLoadBalancerCommand({ Name: 'secure', Subnets: ids.slice(0, 2) }))).LoadBalancers![0];
    nlb = (await berth.elb.send(new CreateLoadBalancerCommand({ Name: 'secure-nlb', Type: 'network', Subnets: ids.slice(0, 1) }))).LoadBalancers![0];
    web = (await berth.elb.send(new CreateTargetGroupCommand({ Name: 'web', Protocol: 'HTTP', Port: 80, VpcId: vpcId, TargetType: 'ip' }))).TargetGroups![0];
    tcp = (await berth.elb.send(new CreateTargetGroupCommand({ Name: 'tcp', Protocol: 'TCP', Port: 80, VpcId: vpcId, TargetType: 'ip' }))).TargetGroups![0];
    main = await request('www.example.com');
    extra = await request('*.example.net');
    await issued(main);
    await issued(extra);
  });

  it('CreateListener makes an HTTPS listener with an issued certificate and ELB\'s default security policy', async () => {
    const l = (await berth.elb.send(new CreateListenerCommand({
      LoadBalancerArn: alb.LoadBalancerArn, Protocol: 'HTTPS', Port: await freePort(), Certificates: [{ CertificateArn: main }], DefaultActions: forward(web),
    }))).Listeners![0];
    listenerArn = l.ListenerArn!;
    assert.deepEqual(l.Certificates, [{ CertificateArn: main }]);
    assert.equal(l.SslPolicy, 'ELBSecurityPolicy-2016-08');
    const described = (await berth.elb.send(new DescribeListenersCommand({ ListenerArns: [listenerArn] }))).Listeners![0];
    assert.deepEqual([described.Protocol, described.SslPolicy, described.Certificates], ['HTTPS', 'ELBSecurityPolicy-2016-08', [{ CertificateArn: main }]]);
  });

  it('CreateListener refuses a certificate that is unknown or not issued yet with CertificateNotFound', async () => {
    const create = (CertificateArn: string) => berth.elb.send(new CreateListenerCommand({
      LoadBalancerArn: alb.LoadBalancerArn, Protocol: 'HTTPS', Port: 8443, Certificates: [{ CertificateArn }], DefaultActions: forward(web),
    }));
    const unknown = 'arn:aws:acm:us-east-1:000000000000:certificate/00000000-0000-0000-0000-000000000000';
    await rejectsWith(create(unknown), 'CertificateNotFoundException', `Certificate '${unknown}' not found`);
    await rejectsWith(whilePending(create, async () => {
      const [l] = (await berth.elb.send(new DescribeListenersCommand({ LoadBalancerArn: alb.LoadBalancerArn }))).Listeners!.filter((x) => x.Port === 8443);
      if (l) await berth.elb.send(new DeleteListenerCommand({ ListenerArn: l.ListenerArn }));
    }), 'CertificateNotFoundException');
    await rejectsWith(berth.elb.send(new CreateListenerCommand({
      LoadBalancerArn: alb.LoadBalancerArn, Protocol: 'HTTPS', Port: 8443, DefaultActions: forward(web),
    })), 'ValidationError', 'A certificate must be specified for HTTPS listeners');
  });

  it('CreateListener refuses an unknown security policy with SSLPolicyNotFound', async () => {
    await rejectsWith(berth.elb.send(new CreateListenerCommand({
      LoadBalancerArn: alb.LoadBalancerArn, Protocol: 'HTTPS', Port: 8443, Certificates: [{ CertificateArn: main }],
      SslPolicy: 'ELBSecurityPolicy-Nope', DefaultActions: forward(web),
    })), 'SSLPolicyNotFoundException');
  });

  it('AddListenerCertificates adds SNI certificates that DescribeListenerCertificates lists after the default', async () => {
    const added = await berth.elb.send(new AddListenerCertificatesCommand({ ListenerArn: listenerArn, Certificates: [{ CertificateArn: extra }] }));
    assert.deepEqual(added.Certificates, [{ CertificateArn: extra, IsDefault: false }]);
    const listed = await berth.elb.send(new DescribeListenerCertificatesCommand({ ListenerArn: listenerArn }));
    assert.deepEqual(listed.Certificates, [{ CertificateArn: main, IsDefault: true }, { CertificateArn: extra, IsDefault: false }]);
    await rejectsWith(whilePending(
      (arn) => berth.elb.send(new AddListenerCertificatesCommand({ ListenerArn: listenerArn, Certificates: [{ CertificateArn: arn }] })),
      (arn) => berth.elb.send(new RemoveListenerCertificatesCommand({ ListenerArn: listenerArn, Certificates: [{ CertificateArn: arn }] })),
    ), 'CertificateNotFoundException');
  });

  it('ACM reports a certificate in use by the load balancer and will not delete it', async () => {
    const d = (await berth.acm.send(new DescribeCertificateCommand({ CertificateArn: extra }))).Certificate!;
    assert.deepEqual(d.InUseBy, [alb.LoadBalancerArn]);
    assert.equal(d.RenewalEligibility, 'ELIGIBLE');
    const summaries = (await berth.acm.send(new ListCertificatesCommand({}))).CertificateSummaryList!;
    assert.equal(summaries.find((s) => s.CertificateArn === main)!.InUse, true);
    await rejectsWith(berth.acm.send(new DeleteCertificateCommand({ CertificateArn: extra })), 'ResourceInUseException');
  });

  it('RemoveListenerCertificates removes an SNI certificate but never the default one', async () => {
    await rejectsWith(berth.elb.send(new RemoveListenerCertificatesCommand({ ListenerArn: listenerArn, Certificates: [{ CertificateArn: main }] })),
      'OperationNotPermittedException', 'Default certificate cannot be removed');
    await berth.elb.send(new RemoveListenerCertificatesCommand({ ListenerArn: listenerArn, Certificates: [{ CertificateArn: extra }] }));
    const listed = await berth.elb.send(new DescribeListenerCertificatesCommand({ ListenerArn: listenerArn }));
    assert.deepEqual(listed.Certificates, [{ CertificateArn: main, IsDefault: true }]);
    assert.deepEqual((await berth.acm.send(new DescribeCertificateCommand({ CertificateArn: extra }))).Certificate!.InUseBy, []);
  });

  it('ModifyListener replaces the default certificate and the security policy', async () => {
    const l = (await berth.elb.send(new ModifyListenerCommand({
      ListenerArn: listenerArn, Certificates: [{ CertificateArn: extra }], SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
    }))).Listeners![0];
    assert.deepEqual([l.Certificates, l.SslPolicy], [[{ CertificateArn: extra }], 'ELBSecurityPolicy-TLS13-1-2-2021-06']);
    const listed = await berth.elb.send(new DescribeListenerCertificatesCommand({ ListenerArn: listenerArn }));
    assert.deepEqual(listed.Certificates, [{ CertificateArn: extra, IsDefault: true }]);
    // A policy change alone keeps the certificate.
    const again = (await berth.elb.send(new ModifyListenerCommand({ ListenerArn: listenerArn, SslPolicy: 'ELBSecurityPolicy-TLS13-1-3-2021-06' }))).Listeners![0];
    assert.deepEqual(again.Certificates, [{ CertificateArn: extra }]);
  });

  it('ModifyListener to HTTP drops the certificates and the policy, which frees the certificate', async () => {
    const l = (await berth.elb.send(new ModifyListenerCommand({ ListenerArn: listenerArn, Protocol: 'HTTP' }))).Listeners![0];
    assert.equal(l.Protocol, 'HTTP');
    assert.equal(l.Certificates, undefined);
    assert.equal(l.SslPolicy, undefined);
    assert.deepEqual((await berth.elb.send(new DescribeListenerCertificatesCommand({ ListenerArn: listenerArn }))).Certificates, []);
    await berth.acm.send(new DeleteCertificateCommand({ CertificateArn: extra }));
    await rejectsWith(berth.elb.send(new ModifyListenerCommand({ ListenerArn: listenerArn, Protocol: 'HTTPS' })), 'ValidationError');
    await berth.elb.send(new DeleteListenerCommand({ ListenerArn: listenerArn }));
  });

  it('a TLS listener on a Network Load Balancer takes a certificate too', async () => {
    const l = (await berth.elb.send(new CreateListenerCommand({
      LoadBalancerArn: nlb.LoadBalancerArn, Protocol: 'TLS', Port: await freePort(), Certificates: [{ CertificateArn: main }],
      SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06', DefaultActions: forward(tcp),
    }))).Listeners![0];
    assert.equal(l.SslPolicy, 'ELBSecurityPolicy-TLS13-1-2-2021-06');
    assert.deepEqual((await berth.acm.send(new DescribeCertificateCommand({ CertificateArn: main }))).Certificate!.InUseBy, [nlb.LoadBalancerArn]);
  });

  it('DescribeSSLPolicies lists ELB\'s policies with their protocols and ciphers', async () => {
    const all = (await berth.elb.send(new DescribeSSLPoliciesCommand({}))).SslPolicies!;
    assert.ok(all.length >= 15);
    const [p] = (await berth.elb.send(new DescribeSSLPoliciesCommand({ Names: ['ELBSecurityPolicy-TLS13-1-2-2021-06'] }))).SslPolicies!;
    assert.deepEqual(p.SslProtocols, ['TLSv1.2', 'TLSv1.3']);
    assert.deepEqual(p.Ciphers!.slice(0, 2), [{ Name: 'TLS_AES_128_GCM_SHA256', Priority: 1 }, { Name: 'TLS_AES_256_GCM_SHA384', Priority: 2 }]);
    assert.deepEqual(p.SupportedLoadBalancerTypes, ['application', 'network']);
    const legacy = (await berth.elb.send(new DescribeSSLPoliciesCommand({ Names: ['ELBSecurityPolicy-2016-08'] }))).SslPolicies![0];
    assert.deepEqual(legacy.SslProtocols, ['TLSv1', 'TLSv1.1', 'TLSv1.2']);
    await rejectsWith(berth.elb.send(new DescribeSSLPoliciesCommand({ Names: ['nope'] })), 'SSLPolicyNotFoundException');
    const page = await berth.elb.send(new DescribeSSLPoliciesCommand({ PageSize: 2 }));
    assert.equal(page.SslPolicies!.length, 2);
    const next = await berth.elb.send(new DescribeSSLPoliciesCommand({ PageSize: 2, Marker: page.NextMarker }));
    assert.notEqual(next.SslPolicies![0].Name, page.SslPolicies![0].Name);
  });
});
