/** ECR Public errors by their AWS names, with ECR's wording (the services share it). */
import { AwsError } from '../../protocol/errors.js';

export const invalidParameter = (message: string) => new AwsError('InvalidParameterException', message);

export const repositoryNotFound = (name: string, account: string) =>
  new AwsError('RepositoryNotFoundException', `The repository with name '${name}' does not exist in the registry with id '${account}'`);

export const repositoryAlreadyExists = (name: string, account: string) =>
  new AwsError('RepositoryAlreadyExistsException', `The repository with name '${name}' already exists in the registry with id '${account}'`);

export const registryNotFound = (account: string) =>
  new AwsError('RegistryNotFoundException', `The registry with id '${account}' does not exist`);

export const imageNotFound = (message: string) => new AwsError('ImageNotFoundException', message);

export const uploadNotFound = (id: string, name: string, account: string) =>
  new AwsError('UploadNotFoundException', `The upload with id '${id}' does not exist in the repository with name '${name}' in the registry with id '${account}'`);

/**
 * AWS serves the ECR Public API in us-east-1 and us-west-2 only, and GetAuthorizationToken in us-east-1 only; the
 * latter answers "GetAuthorizationToken command is only supported in us-east-1." elsewhere
 * (https://docs.aws.amazon.com/general/latest/gr/ecr-public.html).
 */
export const unsupportedCommand = (message: string) => new AwsError('UnsupportedCommandException', message);
