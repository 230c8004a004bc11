/**
 * EKS errors by their AWS names (rest-json: `__type` and `message`, and the
 * resource's name members where the error shape has them), worded as EKS
 * answers where that is known.
 */
import { AwsError } from '../../protocol/errors.js';

export const invalidParameter = (message: string, fields: Record<string, unknown> = {}) =>
  new AwsError('InvalidParameterException', message, { status: 400, fields });

export const invalidRequest = (message: string, fields: Record<string, unknown> = {}) =>
  new AwsError('InvalidRequestException', message, { status: 400, fields });

export const clusterNotFound = (name: string) =>
  new AwsError('ResourceNotFoundException', `No cluster found for name: ${name}.`, { status: 404, fields: { clusterName: name } });

export const clusterExists = (name: string) =>
  new AwsError('ResourceInUseException', `Cluster already exists with name: ${name}`, { status: 409, fields: { clusterName: name } });

export const clusterInUse = (name: string, message: string) =>
  new AwsError('ResourceInUseException', message, { status: 409, fields: { clusterName: name } });

export const resourceNotFound = (arn: string) => new AwsError('NotFoundException', `Resource ${arn} not found.`, { status: 404 });

export const badRequest = (message: string) => new AwsError('BadRequestException', message, { status: 400 });

export const nodegroupNotFound = (cluster: string, name: string) =>
  new AwsError('ResourceNotFoundException', `No node group found for name: ${name}.`, { status: 404, fields: { clusterName: cluster, nodegroupName: name } });

export const notFound = (message: string, fields: Record<string, unknown> = {}) => new AwsError('ResourceNotFoundException', message, { status: 404, fields });

export const inUse = (message: string, fields: Record<string, unknown> = {}) => new AwsError('ResourceInUseException', message, { status: 409, fields });
