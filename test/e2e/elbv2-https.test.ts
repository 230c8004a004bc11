/**
 * HTTPS through Berth's load balancers: TLS terminated on the listener port
 * with certificates from Berth's ACM (requested from the local CA, or
 * imported), SNI across two host names, security policies, an HTTP:80 →
 * HTTPS:443 redirect, a TLS listener on a Network Load Balancer, checked with
 * Node's TLS client, curl, and both AWS CLIs.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { promisify } from 'node:util';
import {
  ACMClient, DescribeCertificateCommand, GetCertificateCommand, ImportCertificateCommand, RequestCertificateCommand, type KeyAlgorithm,
} from '@aws-sdk/client-acm';
import {
  AddListenerCertificatesCommand, CreateListenerCommand, CreateLoadBalancerCommand, CreateTargetGroupCommand, DeleteListenerCommand, ElasticLoadBalancingV2Client,
  ModifyListenerCommand, RegisterTargetsCommand, type LoadBalancer, type TargetGroup,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { VALIDATION_DELAY_MS } from '../../src/services/acm/request.js';
import { buildCertificate } from '../../src/services/acm/x509.js';
import { useBerth } from '../helpers/use-berth.js';
import { aws, CLIS, cliAvailable, type CliName } from '../helpers/cli.js';
import { defaultSubnets, eventually, freePort, request, startBackend, type Backend } from '../helpers/elbv2.js';

interface TlsReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** The certificate the listener presented. */
  peer: tls.PeerCertificate;
  protocol: string | null;
}

/** One HTTPS request to 127.0.0.1:port as `host` (SNI and Host), trusting only `ca`. */
function httpsGet(port: number, host: string, ca: string, path = '/', opts: tls.ConnectionOptions = {}): Promise<TlsReply> {
  return new Promise((resolve, reject) => {
    const req = https.request({ host: '127.0.0.1', port, path, servername: host, headers: { host }, ca, agent: false, ...opts }, (res) => {
      const socket = res.socket as tls.TLSSocket;
      const peer = socket.getPeerCertificate();
      const protocol = socket.getProtocol();
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body, peer, protocol }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('HTTPS listeners with ACM certificates', () => {
  const berth = useBerth({ runtime: 'fake', clients: { acm: ACMClient, elb: ElasticLoadBalancingV2Client } });
  let alb: LoadBalancer;
  let web: TargetGroup;
  let backend: Backend;
  let ca: string;
  let shopCert: string;
  let apiCert: string;
  let listenerArn: string;
  let port: number;
  const dir = mkdtempSync(join(tmpdir(), 'berth-https-'));

  const requestIssued = async (DomainName: string, SubjectAlternativeNames?: string[], KeyAlgorithm?: KeyAlgorithm) => {
    const arn = (await berth.acm.send(new RequestCertificateCommand({ DomainName, SubjectAlternativeNames, ValidationMethod: 'DNS', KeyAlgorithm }))).CertificateArn!;
    await eventually(async () => (await berth.acm.send(new DescribeCertificateCommand({ CertificateArn: arn }))).Certificate!.Status === 'ISSUED', 10_000, 200);
    return arn;
  };

  before(async () => {
    const { ids, vpcId } = await defaultSubnets(berth.endpoint);
    backend = await startBackend('app');
    web = (await berth.elb.send(new CreateTargetGroupCommand({
      Name: 'web', Protocol: 'HTTP', Port: 80, VpcId: vpcId, TargetType: 'ip', HealthCheckPath: '/health',
    }))).TargetGroups![0];
    await berth.elb.send(new RegisterTargetsCommand({ TargetGroupArn: web.TargetGroupArn, Targets: [{ Id: '127.0.0.1', Port: backend.port }] }));
    alb = (await berth.elb.send(new CreateLoadBalancerCommand({ Name: 'secure-web', Subnets: ids.slice(0, 2) }))).LoadBalancers![0];
    shopCert = await requestIssued('shop.example.com', ['www.shop.example.com']);
    apiCert = await requestIssued('*.api.example.net');
    ca = (await berth.acm.send(new GetCertificateCommand({ CertificateArn: shopCert }))).CertificateChain!;
    writeFileSync(join(dir, 'ca.pem'), ca);
    port = await freePort();
    listenerArn = (await berth.elb.send(new CreateListenerCommand({
      LoadBalancerArn: alb.LoadBalancerArn, Protocol: 'HTTPS', Port: port, Certificates: [{ CertificateArn: shopCert }],
      DefaultActions: [{ Type: 'forward', TargetGroupArn: web.TargetGroupArn }],
    }))).Listeners![0].ListenerArn!;
  });
  after(async () => {
    await backend.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers over TLS with the requested certificate, trusted through the local CA, and forwards with X-Forwarded-Proto https', async () => {
    const reply = await eventually(() => httpsGet(port, 'shop.example.com', ca, '/orders?x=1').catch(() => undefined), 10_000, 100);
    assert.equal(reply.status, 200);
    assert.equal(reply.body, 'app /orders?x=1');
    assert.equal(reply.peer.subject.CN, 'shop.example.com');
    const seen = backend.seen.at(-1)!;
    assert.equal(seen['x-forwarded-proto'], 'https');
    assert.equal(seen['x-forwarded-port'], String(port));
    assert.equal(seen.host, 'shop.example.com');
    assert.equal(seen['x-forwarded-for'], '127.0.0.1');
  });

  it('curl trusts the listener with --cacert (the CA GetCertificate returns as the chain)', async () => {
    const { stdout } = await promisify(execFile)('curl', [
      '-sS', '--cacert', join(dir, 'ca.pem'), '--resolve', `www.shop.example.com:${port}:127.0.0.1`,
      '-w', ' %{http_code} %{ssl_verify_result}', `https://www.shop.example.com:${port}/curl`,
    ]);
    assert.equal(stdout, 'app /curl 200 0');
  });

  it('SNI picks the certificate for each host name; an unknown name gets the default certificate', async () => {
    await berth.elb.send(new AddListenerCertificatesCommand({ ListenerArn: listenerArn, Certificates: [{ CertificateArn: apiCert }] }));
    const api = await eventually(async () => {
      const r = await httpsGet(port, 'v1.api.example.net', ca).catch(() => undefined);
      return r?.peer.subject.CN === '*.api.example.net' && r;
    }, 10_000, 100);
    assert.equal(api.status, 200);
    const shop = await httpsGet(port, 'www.shop.example.com', ca);
    assert.equal(shop.peer.subject.CN, 'shop.example.com');
    const other = await httpsGet(port, 'unknown.example.org', ca, '/', { rejectUnauthorized: false });
    assert.equal(other.peer.subject.CN, 'shop.example.com');
  });

  it('an RSA certificate for the name is served on a listener whose default certificate is ECDSA', async () => {
    const ecCert = await requestIssued('ec.example.com', undefined, 'EC_prime256v1');
    const ecPort = await freePort();
    const ec = (await berth.elb.send(new CreateListenerCommand({
      LoadBalancerArn: alb.LoadBalancerArn, Protocol: 'HTTPS', Port: ecPort, Certificates: [{ CertificateArn: ecCert }],
      DefaultActions: [{ Type: 'forward', TargetGroupArn: web.TargetGroupArn }],
    }))).Listeners![0].ListenerArn!;
    await berth.elb.send(new AddListenerCertificatesCommand({ ListenerArn: ec, Certificates: [{ CertificateArn: shopCert }] }));
    // OpenSSL keeps a certificate per key type: a client offering ECDSA first must still get the RSA one its name picks.
    const shop = await eventually(async () => {
      const r = await httpsGet(ecPort, 'shop.example.com', ca).catch(() => undefined);
      return r?.peer.subject.CN === 'shop.example.com' && r;
    }, 10_000, 100);
    assert.equal(shop.status, 200);
    assert.equal((await httpsGet(ecPort, 'ec.example.com', ca)).peer.subject.CN, 'ec.example.com');
    assert.equal((await httpsGet(ecPort, 'other.example.org', ca, '/', { rejectUnauthorized: false })).peer.subject.CN, 'ec.example.com');
    await berth.elb.send(new DeleteListenerCommand({ ListenerArn: ec }));
  });

  it('a security policy change is served at once: TLS 1.3 only refuses a TLS 1.2 client', async () => {
    const before = await httpsGet(port, 'shop.example.com', ca, '/', { maxVersion: 'TLSv1.2' });
    assert.equal(before.protocol, 'TLSv1.2');
    await berth.elb.send(new ModifyListenerCommand({ ListenerArn: listenerArn, SslPolicy: 'ELBSecurityPolicy-TLS13-1-3-2021-06' }));
    await eventually(async () => httpsGet(port, 'shop.example.com', ca, '/', { maxVersion: 'TLSv1.2' }).then(() => false, () => true), 10_000, 100);
    const after13 = await httpsGet(port, 'shop.example.com', ca);
    assert.equal(after13.protocol, 'TLSv1.3');
    await berth.elb.send(new ModifyListenerCommand({ ListenerArn: listenerArn, SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06' }));
  });

  it('an imported certificate is served, and a reimport is picked up without rebinding', async () => {
    const caKeys = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const caName: [string, string][] = [['O', 'Corp'], ['CN', 'Corp Root']];
    const now = Date.now();
    const corpCa = buildCertificate({
      subject: caName, issuer: caName, publicKey: caKeys.publicKey, signingKey: caKeys.privateKey, issuerPublicKey: caKeys.publicKey,
      notBefore: new Date(now - 3600_000), notAfter: new Date(now + 30 * 86400_000), ca: true,
    });
    const leaf = () => {
      const keys = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
      const cert = buildCertificate({
        subject: [['CN', 'intranet.corp.test']], issuer: caName, publicKey: keys.publicKey, signingKey: caKeys.privateKey,
        issuerPublicKey: caKeys.publicKey, notBefore: new Date(now - 3600_000), notAfter: new Date(now + 7 * 86400_000), dnsNames: ['intranet.corp.test'],
      });
      return { cert, key: keys.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string };
    };
    const first = leaf();
    const imported = (await berth.acm.send(new ImportCertificateCommand({
      Certificate: Buffer.from(first.cert), PrivateKey: Buffer.from(first.key), CertificateChain: Buffer.from(corpCa),
    }))).CertificateArn!;
    await berth.elb.send(new AddListenerCertificatesCommand({ ListenerArn: listenerArn, Certificates: [{ CertificateArn: imported }] }));
    const fingerprint = (c: tls.PeerCertificate) => c.fingerprint256;
    const served = await eventually(async () => {
      const r = await httpsGet(port, 'intranet.corp.test', corpCa).catch(() => undefined);
      return r && r.peer.subject.CN === 'intranet.corp.test' && r;
    }, 10_000, 100);
    assert.equal(fingerprint(served.peer), new X509Certificate(first.cert).fingerprint256);
    const second = leaf();
    await berth.acm.send(new ImportCertificateCommand({ CertificateArn: imported, Certificate: Buffer.from(second.cert), PrivateKey: Buffer.from(second.key) }));
    await eventually(async () => {
      const r = await httpsGet(port, 'intranet.corp.test', corpCa).catch(() => undefined);
      return r?.peer.fingerprint256 === new X509Certificate(second.cert).fingerprint256;
    }, 10_000, 100);
  });

  it('an HTTP:80 listener redirects to the HTTPS:443 listener, which answers where Berth bound it when 443 is taken', async (t) => {
    // Hold 443 (when this process may) so Berth has to bind the HTTPS listener elsewhere.
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.once('error', () => resolve()).listen(443, '127.0.0.1', () => resolve()));
    t.after(() => new Promise<void>((resolve) => blocker.close(() => resolve())));
    await berth.elb.send(new CreateListenerCommand({
      LoadBalancerArn: alb.LoadBalancerArn, Protocol: 'HTTPS', Port: 443, Certificates: [{ CertificateArn: shopCert }],
      DefaultActions: [{ Type: 'forward', TargetGroupArn: web.TargetGroupArn }],
    }));
    await berth.elb.send(new CreateListenerCommand({
      LoadBalancerArn: alb.LoadBalancerArn, Protocol: 'HTTP', Port: 80,
      DefaultActions: [{ Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' } }],
    }));
    const bound = await eventually(async () => {
      const out = await (await fetch(`${berth.endpoint}/_berth/load-balancers`)).json() as { loadBalancers: { name: string; listeners: { port: number; protocol: string; boundPort: number | null; url: string | null }[] }[] };
      const listeners = out.loadBalancers.find((lb) => lb.name === 'secure-web')!.listeners;
      const http80 = listeners.find((l) => l.port === 80)?.boundPort;
      const https443 = listeners.find((l) => l.port === 443);
      return http80 && https443?.boundPort && { http80, https443: https443.boundPort, url: https443.url };
    }, 10_000, 100);
    assert.match(bound.url!, /^https:\/\//);
    const redirect = await request(bound.http80, '/cart?item=1', { host: 'shop.example.com' });
    assert.equal(redirect.status, 301);
    assert.notEqual(bound.https443, 443);
    assert.equal(redirect.headers.location, `https://shop.example.com:${bound.https443}/cart?item=1`);
    const location = new URL(redirect.headers.location!);
    const followed = await httpsGet(Number(location.port || 443), location.hostname, ca, `${location.pathname}${location.search}`);
    assert.equal(followed.status, 200);
    assert.equal(followed.body, 'app /cart?item=1');
    assert.equal(backend.seen.at(-1)!['x-forwarded-port'], '443');
  });

  it('a TLS listener on a Network Load Balancer terminates TLS and passes the bytes to a TCP target', async () => {
    const echo = net.createServer((s) => s.pipe(s));
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
    try {
      const { ids, vpcId } = await defaultSubnets(berth.endpoint);
      const tg = (await berth.elb.send(new CreateTargetGroupCommand({ Name: 'echo', Protocol: 'TCP', Port: 7, VpcId: vpcId, TargetType: 'ip' }))).TargetGroups![0];
      await berth.elb.send(new RegisterTargetsCommand({ TargetGroupArn: tg.TargetGroupArn, Targets: [{ Id: '127.0.0.1', Port: (echo.address() as net.AddressInfo).port }] }));
      const nlb = (await berth.elb.send(new CreateLoadBalancerCommand({ Name: 'secure-nlb', Type: 'network', Subnets: ids.slice(0, 1) }))).LoadBalancers![0];
      const tlsPort = await freePort();
      await berth.elb.send(new CreateListenerCommand({
        LoadBalancerArn: nlb.LoadBalancerArn, Protocol: 'TLS', Port: tlsPort, Certificates: [{ CertificateArn: apiCert }],
        DefaultActions: [{ Type: 'forward', TargetGroupArn: tg.TargetGroupArn }],
      }));
      const answer = await eventually(() => new Promise<string | undefined>((resolve) => {
        const socket = tls.connect({ host: '127.0.0.1', port: tlsPort, servername: 'db.api.example.net', ca }, () => socket.write('ping'));
        socket.once('data', (d) => {
          resolve(`${d.toString()} ${socket.getPeerCertificate().subject.CN}`);
          socket.destroy();
        });
        socket.on('error', () => resolve(undefined));
      }), 10_000, 100);
      assert.equal(answer, 'ping *.api.example.net');
    } finally {
      echo.close();
    }
  });
});

for (const name of ['v2', 'v1'] as CliName[]) {
  describe(`aws acm and HTTPS listeners through ${CLIS[name].name}`, { skip: !cliAvailable(name) && `${CLIS[name].name} is not installed` }, () => {
    const berth = useBerth({ runtime: 'fake' });
    const run = async (args: string[]) => {
      const r = await aws(name, berth.endpoint, args);
      assert.equal(r.code, 0, `aws ${args.join(' ')}: ${r.stderr}`);
      return r.json;
    };

    it('request-certificate, describe-certificate, wait certificate-validated, then create-listener --protocol HTTPS', async () => {
      const requestedBy = Date.now();
      const { CertificateArn: arn } = await run(['acm', 'request-certificate', '--domain-name', `cli-${name}.example.com`, '--validation-method', 'DNS']);
      // Berth stamped the request somewhere between requestedBy and answeredBy (a slow CLI start-up widens that).
      const answeredBy = Date.now();
      assert.match(arn, /^arn:aws:acm:us-east-1:000000000000:certificate\//);
      const early = await run(['acm', 'describe-certificate', '--certificate-arn', arn]);
      // Berth's validation takes VALIDATION_DELAY_MS from the request. A describe answered within that time of the
      // request must be PENDING_VALIDATION; one a slow CLI start-up delayed past it may find either state, as on ACM
      // (validation completes at a moment the client does not choose). The CNAME to create is shown in both.
      const states = Date.now() - requestedBy < VALIDATION_DELAY_MS ? ['PENDING_VALIDATION'] : ['PENDING_VALIDATION', 'ISSUED'];
      assert.ok(states.includes(early.Certificate.Status), `${early.Certificate.Status} is one of ${states.join(', ')}`);
      const validation = early.Certificate.DomainValidationOptions[0];
      assert.equal(validation.ResourceRecord.Type, 'CNAME');
      assert.equal(validation.ValidationStatus, early.Certificate.Status === 'ISSUED' ? 'SUCCESS' : 'PENDING_VALIDATION');
      // The CLI's waiter polls every 60 s: start it once validation is due, so its first look succeeds.
      await new Promise((r) => setTimeout(r, Math.max(0, answeredBy + VALIDATION_DELAY_MS + 100 - Date.now())));
      await run(['acm', 'wait', 'certificate-validated', '--certificate-arn', arn]);
      const issued = await run(['acm', 'describe-certificate', '--certificate-arn', arn]);
      assert.equal(issued.Certificate.Status, 'ISSUED');
      const listed = await run(['acm', 'list-certificates', '--certificate-statuses', 'ISSUED']);
      assert.deepEqual(listed.CertificateSummaryList.map((s: { CertificateArn: string }) => s.CertificateArn), [arn]);

      const subnets = await run(['ec2', 'describe-subnets', '--filters', 'Name=default-for-az,Values=true']);
      const lb = (await run(['elbv2', 'create-load-balancer', '--name', `cli-${name}`, '--subnets', subnets.Subnets[0].SubnetId, subnets.Subnets[1].SubnetId])).LoadBalancers[0];
      const listener = (await run(['elbv2', 'create-listener', '--load-balancer-arn', lb.LoadBalancerArn, '--protocol', 'HTTPS', '--port', String(await freePort()),
        '--certificates', `CertificateArn=${arn}`, '--ssl-policy', 'ELBSecurityPolicy-TLS13-1-2-2021-06',
        '--default-actions', 'Type=fixed-response,FixedResponseConfig={StatusCode=200,ContentType=text/plain,MessageBody=ok}'])).Listeners[0];
      assert.equal(listener.SslPolicy, 'ELBSecurityPolicy-TLS13-1-2-2021-06');
      const certs = await run(['elbv2', 'describe-listener-certificates', '--listener-arn', listener.ListenerArn]);
      assert.deepEqual(certs.Certificates, [{ CertificateArn: arn, IsDefault: true }]);
      const inUse = await aws(name, berth.endpoint, ['acm', 'delete-certificate', '--certificate-arn', arn]);
      assert.notEqual(inUse.code, 0);
      assert.match(inUse.stderr, /ResourceInUseException/);
    });
  });
}
