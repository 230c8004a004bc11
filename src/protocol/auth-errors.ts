/**
 * Authentication failures as each AWS frontend words them (issue 23). Query and
 * REST-XML services (STS, IAM, ELBv2, …) answer SignatureDoesNotMatch /
 * InvalidClientTokenId / ExpiredToken with 403; JSON services (ECS, ECR, …)
 * InvalidSignatureException / UnrecognizedClientException /
 * ExpiredTokenException; EC2 AuthFailure and RequestExpired; S3 its own XML
 * codes (InvalidAccessKeyId, SignatureDoesNotMatch, RequestTimeTooSkewed).
 * Clock skew reads "Signature expired: <signed> is now earlier than <limit>
 * (<now> - 15 min.)", as every SigV4 frontend but S3's and EC2's says it.
 */
import type { ProtocolName } from './catalog.js';
import { AwsError } from './errors.js';
import type { SignatureProblem } from './sigv4-verify.js';

/** S3 is served beside the generic pipeline but answers in its own words. */
export type AuthProtocol = ProtocolName | 's3';

const isJson = (p: AuthProtocol) => p === 'awsJson1_0' || p === 'awsJson1_1' || p === 'restJson1' || p === 'rpcV2Cbor';

const MISMATCH = 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

export function invalidAccessKey(protocol: AuthProtocol): AwsError {
  if (protocol === 's3') return new AwsError('InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.', { status: 403 });
  if (protocol === 'ec2Query') return new AwsError('AuthFailure', 'AWS was not able to validate the provided access credentials', { status: 401 });
  if (isJson(protocol)) return new AwsError('UnrecognizedClientException', 'The security token included in the request is invalid.', { status: 400 });
  return new AwsError('InvalidClientTokenId', 'The security token included in the request is invalid.', { status: 403 });
}

export function expiredToken(protocol: AuthProtocol): AwsError {
  if (protocol === 's3') return new AwsError('ExpiredToken', 'The provided token has expired.', { status: 400 });
  if (isJson(protocol)) return new AwsError('ExpiredTokenException', 'The security token included in the request is expired', { status: 400 });
  return new AwsError('ExpiredToken', 'The security token included in the request is expired', { status: 403 });
}

const amz = (ms: number) => new Date(ms).toISOString().replace(/[-:]|\.\d{3}/g, '');

export function signatureError(problem: SignatureProblem, protocol: AuthProtocol): AwsError {
  switch (problem.kind) {
    case 'mismatch':
      if (protocol === 'ec2Query') return new AwsError('AuthFailure', 'AWS was not able to validate the provided access credentials', { status: 401 });
      if (isJson(protocol)) return new AwsError('InvalidSignatureException', MISMATCH, { status: 403 });
      if (protocol === 's3') {
        return new AwsError('SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.', { status: 403 });
      }
      return new AwsError('SignatureDoesNotMatch', MISMATCH, { status: 403 });
    case 'skewed': {
      if (protocol === 's3') return new AwsError('RequestTimeTooSkewed', 'The difference between the request time and the current time is too large.', { status: 403 });
      if (protocol === 'ec2Query') return new AwsError('RequestExpired', 'Request has expired.', { status: 400 });
      const signed = Date.parse(problem.signedAt.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'));
      const message = signed < problem.now
        ? `Signature expired: ${problem.signedAt} is now earlier than ${amz(problem.now - 15 * 60_000)} (${amz(problem.now)} - 15 min.)`
        : `Signature not yet current: ${problem.signedAt} is still later than ${amz(problem.now + 15 * 60_000)} (${amz(problem.now)} + 15 min.)`;
      return isJson(protocol) ? new AwsError('InvalidSignatureException', message, { status: 400 }) : new AwsError('SignatureDoesNotMatch', message, { status: 403 });
    }
    case 'presign-expired':
      return new AwsError('AccessDenied', 'Request has expired', { status: 403 });
    case 'malformed':
      if (protocol === 's3') return new AwsError('AuthorizationHeaderMalformed', problem.message, { status: 400 });
      return new AwsError('IncompleteSignature', problem.message, { status: 400 });
  }
}

/** A request without any signature while enforcement is on (S3 instead treats it as anonymous). */
export function missingAuthentication(protocol: AuthProtocol): AwsError {
  if (isJson(protocol)) return new AwsError('MissingAuthenticationTokenException', 'Missing Authentication Token', { status: 400 });
  return new AwsError('MissingAuthenticationToken', 'Request is missing Authentication Token', { status: 403 });
}

/**
 * A request IAM's policies do not allow (issue 23), in each frontend's words: JSON services AccessDeniedException
 * (400), query and REST-XML services AccessDenied (403), EC2 UnauthorizedOperation (403, its message led by "You are
 * not authorized to perform this operation."). `message` is IAM's "User: … is not authorized to perform: …".
 */
export function accessDenied(protocol: AuthProtocol, message: string): AwsError {
  if (protocol === 'ec2Query') return new AwsError('UnauthorizedOperation', `You are not authorized to perform this operation. ${message}`, { status: 403 });
  if (isJson(protocol)) return new AwsError('AccessDeniedException', message, { status: 400 });
  return new AwsError('AccessDenied', message, { status: 403 });
}
