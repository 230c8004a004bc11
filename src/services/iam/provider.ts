/** IAM (users, groups, their policies and access keys, policy simulation, roles, their policies, customer managed policies and their versions, instance profiles, the caller): the operation table. Everything else answers 501. */
import type { Provider } from '../provider.js';
import * as accessKeys from './access-keys.js';
import * as groups from './groups.js';
import * as profiles from './instance-profiles.js';
import * as policies from './policies.js';
import * as versions from './policy-versions.js';
import * as rolePolicies from './role-policies.js';
import * as roles from './roles.js';
import * as simulate from './simulate.js';
import * as userPolicies from './user-policies.js';
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
  deletePolicy: policies.deletePolicy,
  listPolicies: policies.listPolicies,

  getPolicyVersion: versions.getPolicyVersion,
  listPolicyVersions: versions.listPolicyVersions,
  createPolicyVersion: versions.createPolicyVersion,
  deletePolicyVersion: versions.deletePolicyVersion,
  setDefaultPolicyVersion: versions.setDefaultPolicyVersion,

  createUser: users.createUser,
  getUser: users.getUser,
  listUsers: users.listUsers,
  deleteUser: users.deleteUser,

  putUserPolicy: userPolicies.putUserPolicy,
  getUserPolicy: userPolicies.getUserPolicy,
  deleteUserPolicy: userPolicies.deleteUserPolicy,
  listUserPolicies: userPolicies.listUserPolicies,
  attachUserPolicy: userPolicies.attachUserPolicy,
  detachUserPolicy: userPolicies.detachUserPolicy,
  listAttachedUserPolicies: userPolicies.listAttachedUserPolicies,

  createGroup: groups.createGroup,
  getGroup: groups.getGroup,
  listGroups: groups.listGroups,
  listGroupsForUser: groups.listGroupsForUser,
  deleteGroup: groups.deleteGroup,
  addUserToGroup: groups.addUserToGroup,
  removeUserFromGroup: groups.removeUserFromGroup,
  putGroupPolicy: groups.putGroupPolicy,
  getGroupPolicy: groups.getGroupPolicy,
  deleteGroupPolicy: groups.deleteGroupPolicy,
  listGroupPolicies: groups.listGroupPolicies,
  attachGroupPolicy: groups.attachGroupPolicy,
  detachGroupPolicy: groups.detachGroupPolicy,
  listAttachedGroupPolicies: groups.listAttachedGroupPolicies,

  simulatePrincipalPolicy: simulate.simulatePrincipalPolicy,
  simulateCustomPolicy: simulate.simulateCustomPolicy,

  createAccessKey: accessKeys.createAccessKey,
  listAccessKeys: accessKeys.listAccessKeys,
  updateAccessKey: accessKeys.updateAccessKey,
  deleteAccessKey: accessKeys.deleteAccessKey,
  getAccessKeyLastUsed: accessKeys.getAccessKeyLastUsed,

  createInstanceProfile: profiles.createInstanceProfile,
  getInstanceProfile: profiles.getInstanceProfile,
  listInstanceProfiles: profiles.listInstanceProfiles,
  listInstanceProfilesForRole: profiles.listInstanceProfilesForRole,
  addRoleToInstanceProfile: profiles.addRoleToInstanceProfile,
  removeRoleFromInstanceProfile: profiles.removeRoleFromInstanceProfile,
  deleteInstanceProfile: profiles.deleteInstanceProfile,
  tagInstanceProfile: profiles.tagInstanceProfile,
  untagInstanceProfile: profiles.untagInstanceProfile,
  listInstanceProfileTags: profiles.listInstanceProfileTags,
};
