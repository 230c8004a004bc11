/**
 * EventBridge Scheduler's shapes as Berth stores them: the model's members, with what Berth's validation guarantees
 * made required (the SDK's types make every member optional).
 */
import type { InvokedTarget } from '../eventbridge/index.js';

export interface SchedulerTarget extends InvokedTarget {
  RoleArn: string;
  Input?: string;
  EventBridgeParameters?: { DetailType: string; Source: string };
  RetryPolicy?: { MaximumEventAgeInSeconds?: number; MaximumRetryAttempts?: number };
  DeadLetterConfig?: { Arn?: string };
  [other: string]: unknown;
}

/** A schedule as stored (GetSchedule's answer without its ARN and dates). */
export interface ScheduleDoc {
  Name: string;
  GroupName: string;
  ScheduleExpression: string;
  ScheduleExpressionTimezone?: string;
  StartDate?: string;
  EndDate?: string;
  Description?: string;
  State: 'ENABLED' | 'DISABLED';
  KmsKeyArn?: string;
  FlexibleTimeWindow: { Mode: 'OFF' | 'FLEXIBLE'; MaximumWindowInMinutes?: number };
  Target: SchedulerTarget;
  ActionAfterCompletion?: 'NONE' | 'DELETE';
}
