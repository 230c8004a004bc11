/**
 * S3's errors, by code, with S3's statuses and messages and the extra
 * elements S3 puts in <Error> (BucketName, Key, …).
 * https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList
 */
import { AwsError } from '../../protocol/errors.js';

const err = (code: string, status: number, message: string, fields?: Record<string, unknown>) =>
  new AwsError(code, message, { status, fields });
/** Any S3 error by code, status and message (the ones used in a single place). */
export const s3Error = err;

export const noSuchBucket = (bucket: string) => err('NoSuchBucket', 404, 'The specified bucket does not exist', { BucketName: bucket });
export const noSuchKey = (key: string) => err('NoSuchKey', 404, 'The specified key does not exist.', { Key: key });
export const noSuchUpload = (uploadId: string) =>
  err('NoSuchUpload', 404, 'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.', { UploadId: uploadId });
export const bucketNotEmpty = (bucket: string) => err('BucketNotEmpty', 409, 'The bucket you tried to delete is not empty', { BucketName: bucket });
export const bucketAlreadyOwnedByYou = (bucket: string) =>
  err('BucketAlreadyOwnedByYou', 409, 'Your previous request to create the named bucket succeeded and you already own it.', { BucketName: bucket });
export const bucketAlreadyExists = (bucket: string) =>
  err('BucketAlreadyExists', 409, 'The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.', { BucketName: bucket });
export const invalidBucketName = (bucket: string) => err('InvalidBucketName', 400, 'The specified bucket is not valid.', { BucketName: bucket });
export const accessDenied = () => err('AccessDenied', 403, 'Access Denied');
export const invalidArgument = (message: string, name?: string, value?: string) =>
  err('InvalidArgument', 400, message, name ? { ArgumentName: name, ArgumentValue: value } : undefined);
export const invalidRequest = (message: string) => err('InvalidRequest', 400, message);
export const malformedXml = () =>
  err('MalformedXML', 400, 'The XML you provided was not well-formed or did not validate against our published schema');
export const invalidRange = (range: string, size: number) =>
  err('InvalidRange', 416, 'The requested range is not satisfiable', { RangeRequested: range, ActualObjectSize: size });
export const preconditionFailed = (condition: string) => err('PreconditionFailed', 412, 'At least one of the pre-conditions you specified did not hold', { Condition: condition });
/** A 304: S3 sends it without a body; the SDKs surface it as NotModified. */
export const notModified = () => err('NotModified', 304, 'Not Modified');
export const badDigest = (what: string) => err('BadDigest', 400, `The ${what} you specified did not match the calculated checksum.`);
export const invalidDigest = () => err('InvalidDigest', 400, 'The Content-MD5 you specified is not valid.');
export const incompleteBody = () => err('IncompleteBody', 400, 'You did not provide the number of bytes specified by the Content-Length HTTP header');
export const entityTooLarge = (max: number) => err('EntityTooLarge', 400, 'Your proposed upload exceeds the maximum allowed size', { MaxSizeAllowed: max });
export const entityTooSmall = () => err('EntityTooSmall', 400, 'Your proposed upload is smaller than the minimum allowed object size.');
export const invalidPart = (partNumber: number) =>
  err('InvalidPart', 400, "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.", { PartNumber: partNumber });
export const invalidPartOrder = () => err('InvalidPartOrder', 400, 'The list of parts was not in ascending order. Parts must be ordered by part number.');
export const illegalLocationConstraint = (region: string, constraint: string | undefined) =>
  err(
    'IllegalLocationConstraintException', 400,
    constraint === undefined
      ? 'The unspecified location constraint is incompatible for the region specific endpoint this request was sent to.'
      : `The ${constraint} location constraint is incompatible for the region specific endpoint this request was sent to.`,
    { Region: region },
  );
export const invalidLocationConstraint = () => err('InvalidLocationConstraint', 400, 'The specified location-constraint is not valid');
