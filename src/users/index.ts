// The users domain: people who sign in to the console (accounts, passwords, sessions and CSRF tokens)
// and their wellness settings within the limits an admin sets.
export {
  userRoles,
  parseUserRole,
  parseUsername,
  createUser,
  listUsers,
  getUser,
  getUserByUsername,
  updateUser,
  updateUserSettings,
  changeOwnPassword,
} from './users.js';
export type { User, UserRole, NewUser, UserChanges } from './users.js';
export { signIn, signInOptions, resolveSession, signOut, checkCsrf } from './sessions.js';
export type { SignInOptions } from './sessions.js';
export type { SignedIn, ResolvedSession } from './sessions.js';
export { generatePassword, passwordLength } from './passwords.js';
export { defaultWellnessLimits, getWellnessLimits, setWellnessLimits, exposureToday } from './wellness.js';
export type { WellnessSettings, WellnessLimits } from './wellness.js';
