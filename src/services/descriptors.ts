/**
 * Every service Berth knows, one line each: its `services/<svc>/descriptor.ts`.
 * Adding a service is adding its folder and its line here (any order: index.ts sorts by id).
 */
export { ACM } from './acm/descriptor.js';
export { APPRUNNER } from './apprunner/descriptor.js';
export { APPLICATION_AUTO_SCALING } from './application-auto-scaling/descriptor.js';
export { AUTO_SCALING } from './auto-scaling/descriptor.js';
export { CLOUDFORMATION } from './cloudformation/descriptor.js';
export { CLOUDWATCH } from './cloudwatch/descriptor.js';
export { EC2 } from './ec2/descriptor.js';
export { ECR } from './ecr/descriptor.js';
export { ECR_PUBLIC } from './ecr-public/descriptor.js';
export { ECS } from './ecs/descriptor.js';
export { EFS } from './efs/descriptor.js';
export { EKS } from './eks/descriptor.js';
export { EVENTBRIDGE } from './eventbridge/descriptor.js';
export { ELASTIC_LOAD_BALANCING_V2 } from './elastic-load-balancing-v2/descriptor.js';
export { IAM } from './iam/descriptor.js';
export { LOGS } from './logs/descriptor.js';
export { ROUTE_53 } from './route-53/descriptor.js';
export { S3 } from './s3/descriptor.js';
export { SCHEDULER } from './scheduler/descriptor.js';
export { SECRETS_MANAGER } from './secrets-manager/descriptor.js';
export { SQS } from './sqs/descriptor.js';
export { SSM } from './ssm/descriptor.js';
export { STS } from './sts/descriptor.js';
