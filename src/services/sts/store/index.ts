/**
 * STS's front door for everything outside services/sts: the temporary
 * credentials it has issued. The gateway looks up who signed with an `ASIA…`
 * key here; the metadata endpoint issues and finds task role credentials.
 *
 *   sessions          AssumeRole / GetSessionToken / task role sessions
 *   task-credentials  a task's credential id and its role session
 */
export * from './sessions.js';
export * from './task-credentials.js';
