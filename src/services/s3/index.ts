/**
 * S3's front door for everything outside services/s3: object files on disk
 * (task environment files, state control). app.ts loads its HTTP surface (http.ts) lazily.
 */
export { ObjectFiles, S3_DIR, S3_OBJECTS_DIR } from './files.js';
