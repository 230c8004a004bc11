/**
 * Every ARN Berth hands out is made here, in AWS's formats.
 * ECS uses the long ARN format (resource type / cluster / id) that is the
 * default for all accounts since 2021.
 */
export const PARTITION = 'aws';

export function arn(service: string, region: string, account: string, resource: string): string {
  return `arn:${PARTITION}:${service}:${region}:${account}:${resource}`;
}

export interface ParsedArn {
  partition: string;
  service: string;
  region: string;
  account: string;
  resource: string;
}

export function parseArn(value: string): ParsedArn | undefined {
  const parts = value.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  return { partition: parts[1], service: parts[2], region: parts[3], account: parts[4], resource: parts.slice(5).join(':') };
}

/**
 * The last `/` segment of an ARN's resource: a task's or container
 * instance's id, a cluster's, service's or role's name. A reference that is
 * not an ARN is returned as it is (ECS takes a name or an ARN alike).
 */
export function resourceId(nameOrArn: string): string {
  if (!nameOrArn.startsWith('arn:')) return nameOrArn;
  return nameOrArn.slice(nameOrArn.lastIndexOf('/') + 1);
}

/** A task's id: the last segment of its ARN (task/<cluster>/<id>). */
export function taskIdOf(taskArn: string): string {
  return taskArn.slice(taskArn.lastIndexOf('/') + 1);
}

/** The account an ARN belongs to ('' when it is not an ARN). */
export function accountOf(value: string): string {
  return parseArn(value)?.account ?? '';
}

/** The region in an ARN ('' for global ones such as IAM's, or when it is not an ARN). */
export function regionOf(value: string): string {
  return parseArn(value)?.region ?? '';
}

/** A task definition ARN's family and revision (task-definition/<family>:<revision>); undefined for anything else. */
export function parseTaskDefinitionArn(value: string): { account: string; region: string; family: string; revision: number } | undefined {
  const a = parseArn(value);
  if (!a || a.service !== 'ecs' || !a.resource.startsWith('task-definition/')) return undefined;
  const body = a.resource.slice('task-definition/'.length);
  const colon = body.lastIndexOf(':');
  if (colon < 0) return undefined;
  return { account: a.account, region: a.region, family: body.slice(0, colon), revision: Number(body.slice(colon + 1)) };
}

/** An ECS ARN's parts: `<type>/<cluster>/<id>` (the long format of tasks, services, instances) or `<type>/<name>`. */
export function parseEcsArn(value: string): { region: string; account: string; type: string; cluster?: string; name: string } | undefined {
  const a = parseArn(value);
  if (!a || a.service !== 'ecs') return undefined;
  const parts = a.resource.split('/');
  if (parts.length < 2) return undefined;
  return { region: a.region, account: a.account, type: parts[0], ...(parts.length > 2 ? { cluster: parts[1] } : {}), name: parts[parts.length - 1] };
}

export const ecsArn = {
  cluster: (region: string, account: string, name: string) => arn('ecs', region, account, `cluster/${name}`),
  taskDefinition: (region: string, account: string, family: string, revision: number) =>
    arn('ecs', region, account, `task-definition/${family}:${revision}`),
  capacityProvider: (region: string, account: string, name: string) => arn('ecs', region, account, `capacity-provider/${name}`),
  service: (region: string, account: string, cluster: string, name: string) => arn('ecs', region, account, `service/${cluster}/${name}`),
  task: (region: string, account: string, cluster: string, id: string) => arn('ecs', region, account, `task/${cluster}/${id}`),
  containerInstance: (region: string, account: string, cluster: string, id: string) =>
    arn('ecs', region, account, `container-instance/${cluster}/${id}`),
};

export const iamArn = {
  root: (account: string) => `arn:${PARTITION}:iam::${account}:root`,
  user: (account: string, name: string) => `arn:${PARTITION}:iam::${account}:user/${name}`,
  /** `path` is the group's IAM path (`/` or `/a/b/`), part of its ARN. */
  group: (account: string, name: string, path = '/') => `arn:${PARTITION}:iam::${account}:group${path}${name}`,
  /** `path` is the role's IAM path (`/` or `/a/b/`), part of its ARN. */
  role: (account: string, name: string, path = '/') => `arn:${PARTITION}:iam::${account}:role${path}${name}`,
  policy: (account: string, name: string, path = '/') => `arn:${PARTITION}:iam::${account}:policy${path}${name}`,
  instanceProfile: (account: string, name: string, path = '/') => `arn:${PARTITION}:iam::${account}:instance-profile${path}${name}`,
};

/** STS principals: a session of a role is named by the role (without its path) and the session name. */
export const stsArn = {
  assumedRole: (account: string, roleName: string, sessionName: string) =>
    `arn:${PARTITION}:sts::${account}:assumed-role/${roleName}/${sessionName}`,
};

/** Elastic Load Balancing v2: ids are 16 hex digits; listeners and rules nest under their load balancer. */
export const elbArn = {
  loadBalancer: (region: string, account: string, type: 'app' | 'net', name: string, id: string) =>
    arn('elasticloadbalancing', region, account, `loadbalancer/${type}/${name}/${id}`),
  targetGroup: (region: string, account: string, name: string, id: string) => arn('elasticloadbalancing', region, account, `targetgroup/${name}/${id}`),
  /** `lbPath` is the load balancer's `app/<name>/<id>` (or net/…). */
  listener: (region: string, account: string, lbPath: string, id: string) => arn('elasticloadbalancing', region, account, `listener/${lbPath}/${id}`),
  /** `listenerPath` is the listener's `app/<name>/<lb id>/<listener id>`. */
  rule: (region: string, account: string, listenerPath: string, id: string) =>
    arn('elasticloadbalancing', region, account, `listener-rule/${listenerPath}/${id}`),
  /**
   * The CloudWatch dimension value naming a load balancer (`app/<name>/<id>`, `net/<name>/<id>`) or a
   * target group (`targetgroup/<name>/<id>`): the end of its ARN.
   */
  metricDimension: (value: string): string => {
    const resource = parseArn(value)?.resource ?? value;
    return resource.startsWith('loadbalancer/') ? resource.slice('loadbalancer/'.length) : resource;
  },
};

/** Elastic File System: file systems and access points (mount targets have no ARN). */
export const efsArn = {
  fileSystem: (region: string, account: string, id: string) => arn('elasticfilesystem', region, account, `file-system/${id}`),
  accessPoint: (region: string, account: string, id: string) => arn('elasticfilesystem', region, account, `access-point/${id}`),
};

/** Elastic Kubernetes Service: clusters (node groups, add-ons and the rest nest under `<type>/<cluster>/…`). */
export const eksArn = {
  cluster: (region: string, account: string, name: string) => arn('eks', region, account, `cluster/${name}`),
  nodegroup: (region: string, account: string, cluster: string, name: string, id: string) => arn('eks', region, account, `nodegroup/${cluster}/${name}/${id}`),
  fargateProfile: (region: string, account: string, cluster: string, name: string, id: string) =>
    arn('eks', region, account, `fargateprofile/${cluster}/${name}/${id}`),
  addon: (region: string, account: string, cluster: string, name: string, id: string) => arn('eks', region, account, `addon/${cluster}/${name}/${id}`),
  /** `principal` is `role/<account>/<name>` or `user/<account>/<name>` (the entry's IAM principal). */
  accessEntry: (region: string, account: string, cluster: string, principal: string, id: string) =>
    arn('eks', region, account, `access-entry/${cluster}/${principal}/${id}`),
  podIdentityAssociation: (region: string, account: string, cluster: string, id: string) =>
    arn('eks', region, account, `podidentityassociation/${cluster}/${id}`),
  /** AWS-managed access policies: no region, account `aws`. */
  accessPolicy: (name: string) => `arn:${PARTITION}:eks::aws:cluster-access-policy/${name}`,
};

/** S3: bucket and object ARNs carry neither region nor account (bucket names are global). */
export const s3Arn = {
  bucket: (name: string) => `arn:${PARTITION}:s3:::${name}`,
  /** Bucket and key of an object ARN (`arn:aws:s3:::bucket/key`); undefined for anything else. */
  parseObject(value: string): { bucket: string; key: string } | undefined {
    const m = /^arn:[a-z-]+:s3:::([^/]+)\/(.+)$/.exec(value);
    return m ? { bucket: m[1], key: m[2] } : undefined;
  },
};
