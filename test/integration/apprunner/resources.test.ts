/**
 * App Runner's side resources on the in-memory runtime: connections (PENDING_HANDSHAKE, as App Runner answers before a
 * handshake Berth cannot make), observability configurations and VPC connectors (revisions, Latest, partial ARNs,
 * checked against Berth's EC2, refused deletion while a service uses them), VPC ingress connections (PENDING_CREATION,
 * then AVAILABLE, listed by service, their domain a VPC DNS target), custom domains (certificate validation records
 * from ACM, PENDING_CERTIFICATE_DNS_VALIDATION to ACTIVE, the domain on Host rules of the shared load balancer,
 * DisassociateCustomDomain taking them away), a source code service whose branch is missing failing its creation,
 * with the reason in its service log group, and App Runner's errors by name.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AppRunnerClient, AssociateCustomDomainCommand, CreateConnectionCommand, CreateObservabilityConfigurationCommand, CreateServiceCommand,
  CreateVpcConnectorCommand, CreateVpcIngressConnectionCommand, DeleteConnectionCommand, DeleteObservabilityConfigurationCommand, DeleteServiceCommand,
  DeleteVpcConnectorCommand, DeleteVpcIngressConnectionCommand, DescribeCustomDomainsCommand, DescribeObservabilityConfigurationCommand,
  DescribeServiceCommand, DescribeVpcConnectorCommand, DescribeVpcIngressConnectionCommand, DisassociateCustomDomainCommand, ListConnectionsCommand,
  ListObservabilityConfigurationsCommand, ListOperationsCommand, ListTagsForResourceCommand, ListVpcConnectorsCommand, ListVpcIngressConnectionsCommand,
  type Service,
} from '@aws-sdk/client-apprunner';
import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CreateRepositoryCommand, ECRClient } from '@aws-sdk/client-ecr';
import { DescribeSecurityGroupsCommand, DescribeSubnetsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DescribeListenersCommand, DescribeLoadBalancersCommand, DescribeRulesCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { until } from '../../helpers/until.js';
import { useBerth } from '../../helpers/use-berth.js';
import { rejectsNamed as rejects } from '../../helpers/aws-errors.js';
import { makeImage, Registry, registryAuth } from '../registry/client.js';

const ACCOUNT = '000000000000';

describe('App Runner connections, observability, VPC connectors, VPC ingress connections and custom domains (fake runtime)', () => {
  const berth = useBerth({ runtime: 'fake', clients: { ar: AppRunnerClient, ecr: ECRClient, ec2: EC2Client, elb: ElasticLoadBalancingV2Client, logs: CloudWatchLogsClient } });
  let service: Service;
  let subnet: string;
  let vpcId: string;

  before(async () => {
    await berth.ecr.send(new CreateRepositoryCommand({ repositoryName: 'web' }));
    const reg = new Registry(berth.endpoint, await registryAuth(berth.endpoint));
    assert.equal((await reg.pushImage(`${ACCOUNT}/us-east-1/web`, makeImage({ layers: [Buffer.from('v1')] }), 'v1')).status, 201);
    service = (await berth.ar.send(new CreateServiceCommand({
      ServiceName: 'web-app',
      SourceConfiguration: { ImageRepository: { ImageIdentifier: `${new URL(berth.endpoint).host}/${ACCOUNT}/us-east-1/web:v1`, ImageRepositoryType: 'ECR' } },
    }))).Service!;
    const s = (await berth.ec2.send(new DescribeSubnetsCommand({}))).Subnets![0];
    subnet = s.SubnetId!;
    vpcId = s.VpcId!;
  });

  it('connections are PENDING_HANDSHAKE (no provider to shake hands with), listed by name, deleted as DELETED', async () => {
    const c = (await berth.ar.send(new CreateConnectionCommand({ ConnectionName: 'my-github', ProviderType: 'GITHUB', Tags: [{ Key: 'a', Value: 'b' }] }))).Connection!;
    assert.match(c.ConnectionArn!, /^arn:aws:apprunner:us-east-1:000000000000:connection\/my-github\/[0-9a-f]{32}$/);
    assert.deepEqual([c.Status, c.ProviderType], ['PENDING_HANDSHAKE', 'GITHUB']);
    await rejects(berth.ar.send(new CreateConnectionCommand({ ConnectionName: 'my-github', ProviderType: 'GITHUB' })), 'InvalidRequestException', /already exists/);
    const list = await berth.ar.send(new ListConnectionsCommand({ ConnectionName: 'my-github' }));
    assert.deepEqual(list.ConnectionSummaryList!.map((x) => x.ConnectionArn), [c.ConnectionArn]);
    assert.deepEqual((await berth.ar.send(new ListTagsForResourceCommand({ ResourceArn: c.ConnectionArn }))).Tags, [{ Key: 'a', Value: 'b' }]);
    assert.equal((await berth.ar.send(new DeleteConnectionCommand({ ConnectionArn: c.ConnectionArn }))).Connection!.Status, 'DELETED');
    await rejects(berth.ar.send(new DeleteConnectionCommand({ ConnectionArn: c.ConnectionArn })), 'ResourceNotFoundException');
    assert.deepEqual((await berth.ar.send(new ListConnectionsCommand({}))).ConnectionSummaryList, []);
  });

  it('observability configurations have revisions; a service uses one by ARN and it cannot be deleted meanwhile', async () => {
    const r1 = (await berth.ar.send(new CreateObservabilityConfigurationCommand({ ObservabilityConfigurationName: 'tracing', TraceConfiguration: { Vendor: 'AWSXRAY' } }))).ObservabilityConfiguration!;
    const r2 = (await berth.ar.send(new CreateObservabilityConfigurationCommand({ ObservabilityConfigurationName: 'tracing' }))).ObservabilityConfiguration!;
    assert.match(r1.ObservabilityConfigurationArn!, /:observabilityconfiguration\/tracing\/1\/[0-9a-f]{32}$/);
    assert.deepEqual([r1.ObservabilityConfigurationRevision, r2.ObservabilityConfigurationRevision, r2.Latest, r2.Status], [1, 2, true, 'ACTIVE']);
    const byName = r1.ObservabilityConfigurationArn!.split('/').slice(0, 2).join('/');
    assert.equal((await berth.ar.send(new DescribeObservabilityConfigurationCommand({ ObservabilityConfigurationArn: byName }))).ObservabilityConfiguration!.ObservabilityConfigurationRevision, 2);
    const latest = await berth.ar.send(new ListObservabilityConfigurationsCommand({ LatestOnly: true }));
    assert.deepEqual(latest.ObservabilityConfigurationSummaryList!.map((s) => s.ObservabilityConfigurationRevision), [2]);

    const used = (await berth.ar.send(new CreateServiceCommand({
      ServiceName: 'observed', SourceConfiguration: service.SourceConfiguration,
      ObservabilityConfiguration: { ObservabilityEnabled: true, ObservabilityConfigurationArn: r1.ObservabilityConfigurationArn },
    }))).Service!;
    assert.deepEqual(used.ObservabilityConfiguration, { ObservabilityEnabled: true, ObservabilityConfigurationArn: r1.ObservabilityConfigurationArn });
    await rejects(berth.ar.send(new DeleteObservabilityConfigurationCommand({ ObservabilityConfigurationArn: r1.ObservabilityConfigurationArn })), 'InvalidRequestException', /used by/);
    const gone = (await berth.ar.send(new DeleteObservabilityConfigurationCommand({ ObservabilityConfigurationArn: r2.ObservabilityConfigurationArn }))).ObservabilityConfiguration!;
    assert.deepEqual([gone.Status, !!gone.DeletedAt], ['INACTIVE', true]);
    // Revision 1 is Latest again.
    assert.equal((await berth.ar.send(new DescribeObservabilityConfigurationCommand({ ObservabilityConfigurationArn: r1.ObservabilityConfigurationArn }))).ObservabilityConfiguration!.Latest, true);
    await rejects(berth.ar.send(new CreateServiceCommand({
      ServiceName: 'not-observed', SourceConfiguration: service.SourceConfiguration,
      ObservabilityConfiguration: { ObservabilityEnabled: true, ObservabilityConfigurationArn: `${byName.replace('tracing', 'nothing')}` },
    })), 'ResourceNotFoundException');
  });

  it('VPC connectors name subnets and security groups of Berth\'s EC2 (the VPC\'s default group when none); a service egresses through one', async () => {
    await rejects(berth.ar.send(new CreateVpcConnectorCommand({ VpcConnectorName: 'bad-net', Subnets: ['subnet-0000000000000000'] })), 'InvalidRequestException', /subnet-0000000000000000/);
    const c = (await berth.ar.send(new CreateVpcConnectorCommand({ VpcConnectorName: 'to-db', Subnets: [subnet] }))).VpcConnector!;
    const def = (await berth.ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }, { Name: 'group-name', Values: ['default'] }] }))).SecurityGroups![0];
    assert.deepEqual([c.VpcConnectorRevision, c.Status, c.Subnets, c.SecurityGroups], [1, 'ACTIVE', [subnet], [def.GroupId]]);
    assert.equal((await berth.ar.send(new DescribeVpcConnectorCommand({ VpcConnectorArn: c.VpcConnectorArn }))).VpcConnector!.VpcConnectorName, 'to-db');
    assert.deepEqual((await berth.ar.send(new ListVpcConnectorsCommand({}))).VpcConnectors!.map((x) => x.VpcConnectorArn), [c.VpcConnectorArn]);
    const s = (await berth.ar.send(new CreateServiceCommand({
      ServiceName: 'egress', SourceConfiguration: service.SourceConfiguration,
      NetworkConfiguration: { EgressConfiguration: { EgressType: 'VPC', VpcConnectorArn: c.VpcConnectorArn } },
    }))).Service!;
    assert.deepEqual(s.NetworkConfiguration!.EgressConfiguration, { EgressType: 'VPC', VpcConnectorArn: c.VpcConnectorArn });
    await rejects(berth.ar.send(new DeleteVpcConnectorCommand({ VpcConnectorArn: c.VpcConnectorArn })), 'InvalidRequestException', /used by/);
    await rejects(berth.ar.send(new CreateServiceCommand({
      ServiceName: 'egress-none', SourceConfiguration: service.SourceConfiguration, NetworkConfiguration: { EgressConfiguration: { EgressType: 'VPC' } },
    })), 'InvalidRequestException', /VpcConnectorArn/);
  });

  it('a VPC ingress connection answers PENDING_CREATION, is AVAILABLE after, lists by service, and is a VPC DNS target of the service', async () => {
    await rejects(berth.ar.send(new CreateVpcIngressConnectionCommand({
      ServiceArn: service.ServiceArn, VpcIngressConnectionName: 'private-in', IngressVpcConfiguration: { VpcId: 'vpc-00000000', VpcEndpointId: 'vpce-0123456789abcdef0' },
    })), 'InvalidRequestException', /vpc-00000000/);
    const made = (await berth.ar.send(new CreateVpcIngressConnectionCommand({
      ServiceArn: service.ServiceArn, VpcIngressConnectionName: 'private-in', IngressVpcConfiguration: { VpcId: vpcId, VpcEndpointId: 'vpce-0123456789abcdef0' },
    }))).VpcIngressConnection!;
    assert.equal(made.Status, 'PENDING_CREATION');
    assert.match(made.DomainName!, /^[0-9a-f]{10}\.us-east-1\.awsapprunner\.localhost$/);
    const d = (await berth.ar.send(new DescribeVpcIngressConnectionCommand({ VpcIngressConnectionArn: made.VpcIngressConnectionArn }))).VpcIngressConnection!;
    assert.deepEqual([d.Status, d.AccountId, d.ServiceArn], ['AVAILABLE', ACCOUNT, service.ServiceArn]);
    const listed = await berth.ar.send(new ListVpcIngressConnectionsCommand({ Filter: { ServiceArn: service.ServiceArn } }));
    assert.deepEqual(listed.VpcIngressConnectionSummaryList, [{ VpcIngressConnectionArn: made.VpcIngressConnectionArn, ServiceArn: service.ServiceArn }]);
    const domains = await berth.ar.send(new DescribeCustomDomainsCommand({ ServiceArn: service.ServiceArn }));
    assert.deepEqual(domains.VpcDNSTargets, [{ VpcIngressConnectionArn: made.VpcIngressConnectionArn, VpcId: vpcId, DomainName: made.DomainName }]);
    const deleted = (await berth.ar.send(new DeleteVpcIngressConnectionCommand({ VpcIngressConnectionArn: made.VpcIngressConnectionArn }))).VpcIngressConnection!;
    assert.equal(deleted.Status, 'PENDING_DELETION');
    assert.equal((await berth.ar.send(new DescribeVpcIngressConnectionCommand({ VpcIngressConnectionArn: made.VpcIngressConnectionArn }))).VpcIngressConnection!.Status, 'DELETED');
    await rejects(berth.ar.send(new DeleteVpcIngressConnectionCommand({ VpcIngressConnectionArn: made.VpcIngressConnectionArn })), 'InvalidStateException');
  });

  it('a custom domain gets ACM\'s DNS validation records, turns ACTIVE once issued, is routed by Host header, and goes on disassociation', async () => {
    const hostsRouted = async () => {
      const lb = (await berth.elb.send(new DescribeLoadBalancersCommand({}))).LoadBalancers![0];
      const listeners = (await berth.elb.send(new DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn }))).Listeners!;
      const rules = await Promise.all(listeners.map((l) => berth.elb.send(new DescribeRulesCommand({ ListenerArn: l.ListenerArn }))));
      return rules.flatMap((r) => r.Rules!).flatMap((r) => r.Conditions ?? []).flatMap((c) => c.HostHeaderConfig?.Values ?? []);
    };
    const out = await berth.ar.send(new AssociateCustomDomainCommand({ ServiceArn: service.ServiceArn, DomainName: 'shop.example.com' }));
    assert.deepEqual([out.DNSTarget, out.CustomDomain!.Status, out.CustomDomain!.EnableWWWSubdomain], [service.ServiceUrl, 'CREATING', true]);
    await rejects(berth.ar.send(new AssociateCustomDomainCommand({ ServiceArn: service.ServiceArn, DomainName: 'shop.example.com' })), 'InvalidRequestException', /already associated/);
    const pending = (await berth.ar.send(new DescribeCustomDomainsCommand({ ServiceArn: service.ServiceArn }))).CustomDomains![0];
    assert.equal(pending.Status, 'PENDING_CERTIFICATE_DNS_VALIDATION');
    assert.equal(pending.CertificateValidationRecords!.length, 2);
    for (const r of pending.CertificateValidationRecords!) {
      assert.equal(r.Type, 'CNAME');
      assert.match(r.Name!, /^_[0-9a-f]+\.(www\.)?shop\.example\.com\.$/);
      assert.equal(r.Status, 'PENDING_VALIDATION');
    }
    const active = await until('ACTIVE', async () => (await berth.ar.send(new DescribeCustomDomainsCommand({ ServiceArn: service.ServiceArn }))).CustomDomains![0],
      (d) => d.Status === 'ACTIVE', 20_000, 100);
    assert.deepEqual(active.CertificateValidationRecords!.map((r) => r.Status), ['SUCCESS', 'SUCCESS']);
    const hosts = await hostsRouted();
    assert.equal(hosts.filter((h) => h === 'shop.example.com' || h === 'www.shop.example.com').length, 4, JSON.stringify(hosts));

    const gone = await berth.ar.send(new DisassociateCustomDomainCommand({ ServiceArn: service.ServiceArn, DomainName: 'shop.example.com' }));
    assert.equal(gone.CustomDomain!.Status, 'DELETING');
    await until('the domain unrouted', hostsRouted, (h) => !h.includes('shop.example.com'), 20_000, 100);
    await rejects(berth.ar.send(new DisassociateCustomDomainCommand({ ServiceArn: service.ServiceArn, DomainName: 'shop.example.com' })), 'ResourceNotFoundException');
    await rejects(berth.ar.send(new AssociateCustomDomainCommand({ ServiceArn: service.ServiceArn, DomainName: 'not a domain' })), 'InvalidRequestException');
  });

  it('a source code service whose branch is not in the repository fails its creation (CREATE_FAILED, operation FAILED)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-apprunner-repo-'));
    execFileSync('git', ['-C', dir, 'init', '-q', '-b', 'main']);
    const s = (await berth.ar.send(new CreateServiceCommand({
      ServiceName: 'from-source',
      SourceConfiguration: {
        CodeRepository: {
          RepositoryUrl: dir, SourceCodeVersion: { Type: 'BRANCH', Value: 'release' },
          CodeConfiguration: { ConfigurationSource: 'API', CodeConfigurationValues: { Runtime: 'NODEJS_22', StartCommand: 'node server.js' } },
        },
      },
    }))).Service!;
    assert.deepEqual(s.SourceConfiguration!.CodeRepository!.CodeConfiguration!.CodeConfigurationValues!.Port, '8080');
    const failed = await until('CREATE_FAILED', async () => (await berth.ar.send(new DescribeServiceCommand({ ServiceArn: s.ServiceArn }))).Service!,
      (x) => x.Status !== 'OPERATION_IN_PROGRESS', 20_000, 100);
    assert.equal(failed.Status, 'CREATE_FAILED');
    assert.equal((await berth.ar.send(new ListOperationsCommand({ ServiceArn: s.ServiceArn }))).OperationSummaryList![0].Status, 'FAILED');
    // Why, in the service's log as App Runner writes it.
    const events = await berth.logs.send(new GetLogEventsCommand({ logGroupName: `/aws/apprunner/from-source/${s.ServiceId}/service`, logStreamName: 'events' }));
    const lines = events.events!.map((e) => e.message!);
    assert.equal(lines[0], '[AppRunner] Starting source code build.');
    assert.match(lines[lines.length - 1], /^\[AppRunner\] Failed to build your application source code\. Reason: .*release is not a branch/);
    await berth.ar.send(new DeleteServiceCommand({ ServiceArn: s.ServiceArn }));
    await rejects(berth.ar.send(new CreateServiceCommand({
      ServiceName: 'no-config', SourceConfiguration: { CodeRepository: { RepositoryUrl: dir, SourceCodeVersion: { Type: 'BRANCH', Value: 'main' } } },
    })), 'InvalidRequestException', /ConfigurationSource/);
    await rejects(berth.ar.send(new CreateServiceCommand({
      ServiceName: 'bad-connection', SourceConfiguration: {
        CodeRepository: { RepositoryUrl: dir, SourceCodeVersion: { Type: 'BRANCH', Value: 'main' }, CodeConfiguration: { ConfigurationSource: 'REPOSITORY' } },
        AuthenticationConfiguration: { ConnectionArn: `arn:aws:apprunner:us-east-1:${ACCOUNT}:connection/none/00000000000000000000000000000000` },
      },
    })), 'ResourceNotFoundException');
  });
});
