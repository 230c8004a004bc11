/**
 * What Berth knows about every AWS service, served or not: enough to recognise a
 * request for one and refuse it by name (signing name, name, protocol, API version,
 * X-Amz-Target prefix). The table is generated from botocore at build time
 * (scripts/gen-aws-services.py) and imported only when a request needs it.
 */
export type BotocoreProtocol = 'query' | 'ec2' | 'json' | 'rest-json' | 'rest-xml' | 'smithy-rpc-v2-cbor';

export interface AwsServiceFacts {
  signingName: string;
  /** e.g. "Amazon EC2 Auto Scaling" */
  name: string;
  /** The protocol current clients speak to it (older clients may speak another). */
  protocol: BotocoreProtocol;
  /** Query protocols: the API version their requests carry as Version. */
  apiVersion?: string;
  /** JSON protocols: the X-Amz-Target prefix (also the service name in rpc-v2-cbor paths). */
  targetPrefix?: string;
  /** rest protocols: the id of its SDK v3 package, @aws-sdk/client-<id>. */
  sdkId?: string;
}

export interface AwsServiceIndex {
  bySigningName: Map<string, AwsServiceFacts[]>;
  byTarget: Map<string, AwsServiceFacts>;
}

let index: Promise<AwsServiceIndex> | undefined;

export function awsServices(): Promise<AwsServiceIndex> {
  return (index ??= import('./aws-services.js').then((m) => indexOf(m.AWS_SERVICES)));
}

function indexOf(table: string): AwsServiceIndex {
  const bySigningName = new Map<string, AwsServiceFacts[]>();
  const byTarget = new Map<string, AwsServiceFacts>();
  for (const line of table.split('\n')) {
    if (!line) continue;
    const [signingName, name, protocol, apiVersion, targetPrefix, sdkId] = line.split('|');
    const facts: AwsServiceFacts = { signingName, name, protocol: protocol as BotocoreProtocol };
    if (apiVersion) facts.apiVersion = apiVersion;
    if (targetPrefix) facts.targetPrefix = targetPrefix;
    facts.sdkId = sdkId || signingName;
    const list = bySigningName.get(signingName);
    if (list) list.push(facts);
    else bySigningName.set(signingName, [facts]);
    if (targetPrefix) byTarget.set(targetPrefix, facts);
  }
  return { bySigningName, byTarget };
}
