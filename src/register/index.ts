export { registerOptionSpecs, type RegisterOptions, type RegisterFlagOptions } from './options.js';
export { registerProject, registerCommandLines, type RegisterSummary } from './register.js';
export { unregisterProject, type UnregisterSummary } from './unregister.js';
