/**
 * S3's front door for everything outside services/s3: object files on disk
 * (task environment files, state control, the gateway's streaming handler), and
 * objects other services write into a user's bucket (Logs export tasks). Its operations are the gateway's
 * (gateway/s3.ts, through provider.ts), loaded on S3's first request.
 */
export { ObjectFiles, S3_DIR, S3_OBJECTS_DIR } from './files.js';
export { bucketOwner, writeServiceObject, type ServiceObject } from './service-objects.js';
