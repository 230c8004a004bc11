/**
 * The JSON the console's API answers with (/_berth/api/…), shared by the backend (api.ts) and the UI (ui/), which
 * imports it for its types only. Plain data: dates as ISO strings, counts as numbers.
 */

export interface Overview {
  berth: { version: string; endpoint: string; dataDir: string | null; uptimeSeconds: number };
  /** The container engine Berth runs tasks on, as its last ping found it. */
  engine: { name: string; status: 'up' | 'down'; error?: string };
  /** Every account and region with an ACTIVE cluster. */
  scopes: ScopeView[];
}

export interface ScopeView {
  account: string;
  region: string;
  clusters: ClusterSummary[];
}

export interface ClusterSummary {
  name: string;
  arn: string;
  status: string;
  activeServices: number;
  /** Task counts by lastStatus (STOPPED ones while ECS still describes them: an hour). */
  tasks: Record<string, number>;
}

export interface ClusterView {
  account: string;
  region: string;
  cluster: ClusterSummary;
  services: ServiceSummary[];
  /** Tasks started outside a service (RunTask), newest first. */
  standaloneTasks: TaskSummary[];
}

export interface ServiceSummary {
  name: string;
  arn: string;
  status: string;
  desiredCount: number;
  runningCount: number;
  pendingCount: number;
  launchType: string | null;
  taskDefinition: string;
  /** The PRIMARY deployment's rollout state (IN_PROGRESS, COMPLETED, FAILED). */
  rolloutState: string | null;
}

export interface DeploymentView {
  id: string;
  status: string;
  taskDefinition: string;
  desiredCount: number;
  runningCount: number;
  pendingCount: number;
  failedTasks: number;
  rolloutState: string | null;
  rolloutStateReason: string | null;
  createdAt: string | null;
  updatedAt: string | null;
}

export interface ServiceView {
  account: string;
  region: string;
  cluster: string;
  service: ServiceSummary;
  deployments: DeploymentView[];
  /** Newest first, at most 20. */
  events: { id: string; createdAt: string; message: string }[];
  /** Unfinished tasks first, then recently stopped ones, newest first. */
  tasks: TaskSummary[];
  /** AWS/ECS CPUUtilization and MemoryUtilization (percent, Average per CloudWatch minute) over the last hour. */
  metrics: { from: string; to: string; cpu: Point[]; memory: Point[]; marks: Mark[] };
}

/** A moment marked on a chart: a deployment started, or auto scaling changed the desired count. */
export interface Mark {
  t: number;
  kind: 'deployment' | 'scaling';
  label: string;
}

/** One datapoint of a chart: real epoch ms, value. */
export interface Point {
  t: number;
  v: number;
}

export interface PortView {
  container: string;
  containerPort: number | null;
  hostPort: number | null;
  protocol: string;
  /** Where the port answers on this machine (http://127.0.0.1:<hostPort>), when published. */
  url: string | null;
}

export interface ContainerView {
  name: string;
  image: string | null;
  lastStatus: string | null;
  healthStatus: string | null;
  exitCode: number | null;
  reason: string | null;
  /** The container's environment: the definition's, then the task's overrides (as the container got it). */
  environment: { name: string; value: string }[];
  /** Secrets by name and where they come from: their values are never shown. */
  secrets: { name: string; valueFrom: string }[];
}

export interface TaskSummary {
  id: string;
  arn: string;
  lastStatus: string;
  desiredStatus: string;
  healthStatus: string | null;
  taskDefinition: string;
  startedBy: string | null;
  createdAt: string | null;
  startedAt: string | null;
  stoppedAt: string | null;
  stopCode: string | null;
  stoppedReason: string | null;
  ports: PortView[];
}

export interface TaskView {
  account: string;
  region: string;
  cluster: string;
  task: TaskSummary;
  group: string | null;
  cpu: string | null;
  memory: string | null;
  containers: ContainerView[];
}

/** One container's log tail (awslogs containers: their CloudWatch Logs stream). */
export interface ContainerLogView {
  name: string;
  group: string | null;
  stream: string | null;
  lines: { at: string; message: string }[];
  /** Why there are no lines to show, when that is not just a quiet container. */
  note: string | null;
}

export interface TaskLogsView {
  account: string;
  region: string;
  cluster: string;
  taskId: string;
  search: string;
  containers: ContainerLogView[];
}

/** What /_berth/api/events sends (event "change"): the kinds of change feed entries seen in one window. */
export interface ChangeEvent {
  kinds: string[];
}

/** The registry: every account and region with a repository (registry.ts). */
export interface RegistryView {
  endpoint: string;
  scopes: { account: string; region: string; login: string; repositories: RepositorySummary[] }[];
}

export interface RepositorySummary {
  name: string;
  arn: string;
  /** What docker pushes to and pulls from (host:port/<account>/<region>/<name>). */
  uri: string;
  createdAt: string;
  /** Manifests stored (images, indexes and other artifacts). */
  images: number;
  tagMutability: string;
  scanOnPush: boolean;
}

export interface RepositoryView {
  account: string;
  region: string;
  repository: RepositorySummary;
  /** `docker login` for Berth's registry through the AWS CLI. */
  login: string;
  push: string;
  /** Newest first, at most 100. */
  images: ImageView[];
}

export interface ImageView {
  digest: string;
  tags: string[];
  mediaType: string;
  sizeBytes: number;
  pushedAt: string;
  lastPulledAt: string | null;
  /** ECR's storage class: ACTIVE or ARCHIVED. */
  status: string;
  /** The latest scan: its status and its findings counted by severity. */
  scan: { status: string; findings: Record<string, number> } | null;
  pull: string;
}

/** Every load balancer and target group, by account and region (load-balancers.ts). */
export interface LoadBalancersView {
  scopes: { account: string; region: string; loadBalancers: LoadBalancerView[]; targetGroups: TargetGroupView[] }[];
}

export interface LoadBalancerView {
  name: string;
  arn: string;
  /** application, network or gateway. */
  type: string;
  scheme: string;
  state: string;
  dnsName: string;
  listeners: ListenerView[];
  /** AWS/ApplicationELB (or NetworkELB) request or flow count per CloudWatch minute over the last hour (Sum). */
  requests: { metric: string; from: string; to: string; points: Point[] };
}

export interface ListenerView {
  arn: string;
  port: number;
  protocol: string;
  /** Where the listener answers on this machine, when Berth bound its port. */
  address: string | null;
  /** In priority order, the default rule last. */
  rules: { priority: string; conditions: string[]; actions: string[] }[];
}

export interface TargetGroupView {
  name: string;
  arn: string;
  protocol: string | null;
  port: number | null;
  targetType: string;
  healthCheckPath: string | null;
  loadBalancers: string[];
  /** As DescribeTargetHealth answers (draining targets included until they are gone). */
  targets: { id: string; port: number | null; state: string; reason: string | null; description: string | null }[];
}

/** Capacity: container instances per cluster and Auto Scaling groups, by account and region (instances.ts). */
export interface InstancesView {
  scopes: { account: string; region: string; clusters: { name: string; instances: ContainerInstanceView[] }[]; groups: AutoScalingGroupView[] }[];
}

export interface ContainerInstanceView {
  arn: string;
  id: string;
  ec2InstanceId: string | null;
  /** ACTIVE or DRAINING. */
  status: string;
  agentConnected: boolean;
  /** CPU units and MiB: what the instance registered and what its tasks leave. */
  cpu: { registered: number; remaining: number };
  memory: { registered: number; remaining: number };
  runningTasks: number;
  pendingTasks: number;
  instanceType: string | null;
}

export interface AutoScalingGroupView {
  name: string;
  minSize: number;
  maxSize: number;
  desiredCapacity: number;
  status: string | null;
  instances: { id: string; lifecycleState: string; health: string; zone: string | null; instanceType: string | null; protectedFromScaleIn: boolean }[];
}

/** The events feed (events.ts): every service's events, newest first, and the EventBridge deliveries still waiting. */
export interface EventsView {
  serviceEvents: { account: string; region: string; cluster: string; service: string; id: string; createdAt: string; message: string }[];
  deliveries: {
    account: string; region: string; rule: string; target: string; source: string; detailType: string;
    /** Tries so far; the next is due at dueAt. */
    attempts: number; acceptedAt: string; dueAt: string;
  }[];
}

/** SQS: every account and region's queues (queues.ts). */
export interface QueuesView {
  scopes: { account: string; region: string; queues: QueueSummary[] }[];
  /** The soonest moment a listed queue's counts move without a request (see QueueView.nextChangeAt). */
  nextChangeAt: string | null;
}

export interface QueueSummary {
  name: string;
  arn: string;
  /** The QueueUrl an SDK on this machine uses (Berth's endpoint, /<account>/<name>). */
  url: string;
  type: 'standard' | 'fifo';
  /** GetQueueAttributes' ApproximateNumberOfMessages, …NotVisible and …Delayed. */
  messages: { visible: number; inFlight: number; delayed: number };
  /** ApproximateAgeOfOldestMessage (seconds), when the queue holds any. */
  oldestAgeSeconds: number | null;
  visibilityTimeoutSeconds: number;
  retentionSeconds: number;
  delaySeconds: number;
  receiveWaitSeconds: number;
  maxMessageBytes: number;
  /** The RedrivePolicy: where messages received more than maxReceiveCount times go. */
  deadLetter: { name: string; arn: string; maxReceiveCount: number } | null;
  createdAt: string;
  modifiedAt: string;
}

export interface QueueView {
  account: string;
  region: string;
  queue: QueueSummary;
  /** Queues whose RedrivePolicy names this one (ListDeadLetterSourceQueues). */
  sources: { name: string; maxReceiveCount: number }[];
  /** The RedriveAllowPolicy's redrivePermission (allowAll when unset), and its source queues when byQueue. */
  redriveAllow: { permission: string; sourceQueues: string[] };
  /** The other attributes GetQueueAttributes answers (encryption, FIFO settings, policy), as SQS returns them. */
  attributes: { name: string; value: string }[];
  /**
   * When a message in flight or delayed becomes visible next: the counts move then without any request, so the page
   * reads them again at that moment (and never more often than once a second).
   */
  nextChangeAt: string | null;
}

/** EventBridge: every account and region's event buses (event-buses.ts). */
export interface EventBusesView {
  scopes: { account: string; region: string; buses: EventBusSummary[] }[];
}

export interface EventBusSummary {
  name: string;
  arn: string;
  description: string | null;
  createdAt: string;
  rules: number;
  /** Deliveries of its rules still waiting for their targets. */
  waiting: number;
}

export interface EventBusView {
  account: string;
  region: string;
  bus: EventBusSummary;
  /** The bus's own dead-letter queue (events it could not route), when set. */
  deadLetterArn: string | null;
  /** In name order, at most 300 (a bus's limit is 300 rules). */
  rules: EventRuleView[];
}

export interface EventRuleView {
  name: string;
  arn: string;
  /** ENABLED, DISABLED or ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS. */
  state: string;
  /** The event pattern as PutRule stored it (JSON text), or the schedule expression. */
  pattern: string | null;
  schedule: string | null;
  description: string | null;
  targets: EventTargetView[];
}

export interface EventTargetView {
  id: string;
  arn: string;
  /** What the ARN names, for a link: an SQS queue, an ECS cluster, an event bus (else null). */
  kind: 'sqs' | 'ecs' | 'event-bus' | null;
  /** What the target receives: the matched event, a constant (Input), a part of it (InputPath) or a transformation. */
  input: 'event' | 'constant' | 'input path' | 'input transformer';
  inputTransformer: { paths: Record<string, string>; template: string } | null;
  deadLetterArn: string | null;
  retryPolicy: { maximumRetryAttempts: number | null; maximumEventAgeSeconds: number | null } | null;
  /**
   * Deliveries still waiting for this target (events_deliveries): how many, the most tries any has had, and when the
   * next is due. A delivered event is not kept, and a failed one goes to the dead-letter queue or is dropped.
   */
  waiting: { count: number; attempts: number; nextAt: string } | null;
}

/** App Runner services and ECS Express services, by account and region (apps.ts). */
export interface AppsView {
  scopes: { account: string; region: string; appRunner: AppRunnerServiceSummary[]; express: ExpressServiceSummary[] }[];
}

/** The ECS service a service runs on (its console page: /clusters/<account>/<region>/<cluster>/services/<name>). */
export interface EcsServiceRef {
  cluster: string;
  name: string;
}

export interface AppOperationView {
  id: string;
  /** CREATE_SERVICE, START_DEPLOYMENT, UPDATE_SERVICE, PAUSE_SERVICE, RESUME_SERVICE, DELETE_SERVICE. */
  type: string;
  /** PENDING, IN_PROGRESS, SUCCEEDED, FAILED, ROLLBACK_IN_PROGRESS, ROLLBACK_SUCCEEDED, ROLLBACK_FAILED. */
  status: string;
  startedAt: string;
  endedAt: string | null;
  updatedAt: string;
}

export interface AppRunnerServiceSummary {
  name: string;
  arn: string;
  id: string;
  /** RUNNING, OPERATION_IN_PROGRESS, CREATE_FAILED, PAUSED, … as DescribeService answers. */
  status: string;
  /** ServiceUrl as App Runner answers it (a host, no scheme). */
  serviceUrl: string;
  /** Where a browser on this machine reaches it: the URL's host on Berth's port (`.localhost` names resolve to loopback). */
  url: string;
  source: { kind: 'image'; image: string } | { kind: 'code'; repository: string; branch: string | null };
  /** The operation in progress, if any. */
  operation: AppOperationView | null;
  ecsService: EcsServiceRef | null;
  createdAt: string;
  updatedAt: string;
}

export interface AppRunnerServiceView {
  account: string;
  region: string;
  service: AppRunnerServiceSummary;
  cpu: string | null;
  memory: string | null;
  port: string | null;
  autoDeployments: boolean;
  /** Why the service is CREATE_FAILED, when it is. */
  failure: string | null;
  /** The image digest the serving version runs (App Runner deploys a version, not a moving tag). */
  deployedDigest: string | null;
  /** ListOperations: newest first, at most 50. */
  operations: AppOperationView[];
}

export interface ExpressServiceSummary {
  name: string;
  arn: string;
  cluster: string;
  /** ACTIVE, DRAINING (deleting). */
  status: string;
  /** The ingress path's endpoint as DescribeExpressGatewayService answers (a host), and its URL on Berth's port. */
  endpoint: string | null;
  url: string | null;
  image: string | null;
  /** The service deployment under way or last made (currentDeployment). */
  currentDeployment: string | null;
  /** The ECS service's deployments (Express's operations are ECS deployments), PRIMARY first. */
  deployments: DeploymentView[];
  /** The App Runner service it runs, when App Runner made it. */
  appRunner: { name: string } | null;
  createdAt: string | null;
}

/** EKS: every account and region's clusters (eks.ts). */
export interface EksView {
  scopes: { account: string; region: string; clusters: EksClusterSummary[] }[];
}

export interface EksClusterSummary {
  name: string;
  arn: string;
  /** CREATING, ACTIVE, UPDATING, DELETING, FAILED as DescribeCluster answers. */
  status: string;
  version: string | null;
  platformVersion: string | null;
  /** The cluster's Kubernetes API (https://127.0.0.1:<port>), once ACTIVE. */
  endpoint: string | null;
  createdAt: string | null;
  nodegroups: number;
  fargateProfiles: number;
  /** Its pods counted by status.phase (Pending, Running, Succeeded, Failed, Unknown). */
  pods: Record<string, number>;
}

export interface EksClusterView {
  account: string;
  region: string;
  cluster: EksClusterSummary;
  roleArn: string | null;
  nodegroups: {
    name: string; arn: string; status: string; desired: number; min: number; max: number; instanceTypes: string[]; capacityType: string | null;
    amiType: string | null; version: string | null; health: string[];
  }[];
  fargateProfiles: { name: string; arn: string; status: string; selectors: string[]; subnets: number }[];
}
