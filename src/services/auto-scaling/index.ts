/** EC2 Auto Scaling's front door for the group controller: its store (groups and their instances). */
export * from './store.js';
export * from './managed-capacity.js';
