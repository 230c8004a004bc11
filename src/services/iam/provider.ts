/** IAM (roles, their policies, customer managed policies, the caller): the operation table. Everything else answers 501. */
import type { Provider } from '../provider.js';
import * as policies from './policies.js';
import * as rolePolicies from './role-policies.js';
import * as roles from './roles.js';
import * as users from './users.js';

export const provider: Provider = {
  createRole: roles.createRole,
  getRole: roles.getRole,
  listRoles: roles.listRoles,
  deleteRole: roles.deleteRole,
  updateRole: roles.updateRoleOp,
  updateAssumeRolePolicy: roles.updateAssumeRolePolicy,
  tagRole: roles.tagRole,
  untagRole: roles.untagRole,
  listRoleTags: roles.listRoleTags,

  putRolePolicy: rolePolicies.putRolePolicy,
  getRolePolicy: rolePolicies.getRolePolicy,
  deleteRolePolicy: rolePolicies.deleteRolePolicy,
  listRolePolicies: rolePolicies.listRolePolicies,
  attachRolePolicy: rolePolicies.attachRolePolicy,
  detachRolePolicy: rolePolicies.detachRolePolicy,
  listAttachedRolePolicies: rolePolicies.listAttachedRolePolicies,

  createPolicy: policies.createPolicy,
  getPolicy: policies.getPolicy,
  getPolicyVersion: policies.getPolicyVersion,
  deletePolicy: policies.deletePolicy,
  listPolicies: policies.listPolicies,

  getUser: users.getUser,
};
