/**
 * EventBridge's shapes as Berth stores and hands them on: the model's members, with what Berth's validation
 * guarantees made required (the SDK's types make every member optional).
 */
export interface Tag { Key: string; Value: string }

export interface DeadLetterConfig { Arn?: string }
export interface RetryPolicy { MaximumRetryAttempts?: number; MaximumEventAgeInSeconds?: number }
export interface InputTransformer { InputPathsMap?: Record<string, string>; InputTemplate: string }

export interface EcsParameters {
  TaskDefinitionArn: string;
  TaskCount?: number;
  LaunchType?: 'EC2' | 'FARGATE' | 'EXTERNAL';
  NetworkConfiguration?: { awsvpcConfiguration?: { Subnets: string[]; SecurityGroups?: string[]; AssignPublicIp?: 'ENABLED' | 'DISABLED' } };
  PlatformVersion?: string;
  Group?: string;
  CapacityProviderStrategy?: { capacityProvider: string; weight?: number; base?: number }[];
  EnableECSManagedTags?: boolean;
  EnableExecuteCommand?: boolean;
  PlacementConstraints?: { type?: string; expression?: string }[];
  PlacementStrategy?: { type?: string; field?: string }[];
  PropagateTags?: 'TASK_DEFINITION';
  ReferenceId?: string;
  Tags?: Tag[];
}

export interface Target {
  Id: string;
  Arn: string;
  RoleArn?: string;
  Input?: string;
  InputPath?: string;
  InputTransformer?: InputTransformer;
  EcsParameters?: EcsParameters;
  SqsParameters?: { MessageGroupId?: string };
  DeadLetterConfig?: DeadLetterConfig;
  RetryPolicy?: RetryPolicy;
  [other: string]: unknown;
}

/** A rule as stored and described. */
export interface Rule {
  Name: string;
  Arn: string;
  EventPattern?: string;
  ScheduleExpression?: string;
  State: 'ENABLED' | 'DISABLED' | 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS';
  Description?: string;
  RoleArn?: string;
  ManagedBy?: string;
  EventBusName: string;
  CreatedBy?: string;
}

export interface PutEventsRequestEntry {
  Time?: Date;
  Source?: string;
  Resources?: string[];
  DetailType?: string;
  Detail?: string;
  EventBusName?: string;
  TraceHeader?: string;
}

/** An event as EventBridge hands it to rules and targets. */
export interface BusEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: unknown;
}
