import { cliInvocation } from '../invocation.js';
import { flagName, type OptionSpecs } from '../options/define.js';
import { shell } from '../render/encoders.js';
import { registerOptionSpecs, type RegisterOptions } from './options.js';

/** What the user replaces with the M2M app's secret in the printed commands. */
export const SECRET_PLACEHOLDER = "'<the M2M app secret>'";

/**
 * The commands that finish a registration that failed while creating a project, ready to paste: every
 * register flag that was given, and never the M2M secret. Unless LOGTO_M2M_APP_SECRET is set already, a
 * line before the command exports it (`...` for the user to replace).
 */
export function registerCommandLines(
  projectDir: string,
  options: RegisterOptions,
  env: NodeJS.ProcessEnv = process.env,
): string[] {
  const words = ['register', projectDir];
  for (const [key, spec] of Object.entries(registerOptionSpecs as OptionSpecs)) {
    if (key === 'm2mAppSecret' || key === 'showSecret') continue;
    const value = options[key as keyof RegisterOptions];
    if (value === undefined || value === spec.default || (Array.isArray(value) && value.length === 0)) continue;
    const flag = flagName(spec);
    // A boolean that differs from its default: --first-party for true, --no-profile-claims for false.
    if (typeof value === 'boolean') {
      if (value !== spec.flag.startsWith('--no-')) words.push(flag);
    } else for (const item of [value].flat()) words.push(flag, String(item));
  }
  const command = `${cliInvocation()} ${words.map(shell).join(' ')}`;
  // A quoted placeholder, no comment: pasted into any shell (zsh reads `#` literally by default) it does no harm.
  return env.LOGTO_M2M_APP_SECRET ? [command] : [`export LOGTO_M2M_APP_SECRET=${SECRET_PLACEHOLDER}`, command];
}
