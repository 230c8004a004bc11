/**
 * EFS's front door for everything outside services/efs: where a file
 * system's data lives and what a task may mount (task volumes, the EFS
 * controller). Its store (store.ts) lists the file systems to settle.
 */
export { fileSystemDir, mountableAccessPoint, mountableFileSystem, type MountableAccessPoint, type MountableFileSystem } from './mounts.js';
