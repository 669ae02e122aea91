export { aptInstall, type Installed, packageExecutable } from './apt.js';
export {
  CHROMIUM,
  decideInstall,
  type HostFacts,
  type InstallDecision,
  type Needed,
  REDIS_SERVER,
} from './decide.js';
export { type FindOrInstall, findOrInstall } from './find-or-install.js';
export { executable, findOnPath, hostFacts, type SetupEnv } from './host.js';
export { dotnetToolsDir, findOrInstallPwsh, PWSH_VERSION } from './pwsh.js';
export { type PrivateRedis, redisAnswers, startRedisServer } from './redis-server.js';
export { restoreService, type ServiceState, serviceState } from './service.js';
