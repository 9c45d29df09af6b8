import { CancelledError, UsageError } from '../errors.js';
import { cliInvocation } from '../invocation.js';
import { resolveOptions } from '../options/define.js';
import { printable } from '../printable.js';
import { openBrowser } from '../try/browser.js';
import { tryOptionSpecs } from '../try/options.js';
import { printResult } from '../try/print.js';
import { formatDuration } from '../try/duration.js';
import { runTrySession, type ScopeChallenge } from '../try/session.js';
import { resolveTarget } from '../try/target.js';
import { canPrompt, confirmer, createUi } from '../ui.js';
import { startCountdown } from '../try/countdown.js';

/** What `try` does (src/commands/try-command.ts declares it; this module loads only when it runs). */
export async function tryServer(argument: string | undefined, flags: Record<string, unknown>): Promise<void> {
  const json = Boolean(flags.json);
  const ui = createUi({ json });
  const interactive = canPrompt(json);
  const target = await resolveTarget(argument);
  const env = target.project?.env ?? {};
  const options = await resolveOptions(
    {
      ...tryOptionSpecs,
      appId: { ...tryOptionSpecs.appId, default: env.LOGTO_APP_ID || undefined },
      appSecret: { ...tryOptionSpecs.appSecret, default: env.LOGTO_APP_SECRET || undefined },
    },
    flags,
    { interactive: false, yes: true },
  );
  if (!options.appId) {
    const where = target.project
      ? `the project's .env has no LOGTO_APP_ID${target.project.envNote ? ` (${target.project.envNote})` : ''}`
      : 'no project folder was given';
    throw new UsageError(
      `No Logto app to sign in with: ${where}. Run \`${cliInvocation()} register\` in the project first (it creates the app and writes LOGTO_APP_ID), or pass --app-id.`,
    );
  }

  const out = json ? process.stderr : process.stdout;
  const ask = confirmer(interactive);
  const stepUp = async (challenge: ScopeChallenge) => {
    ui.warn(
      `${challenge.tool} needs more scopes: the server answered 403 insufficient_scope, scope="${printable(challenge.requiredScope ?? '')}"` +
        `${challenge.description ? ` (${printable(challenge.description)})` : ''}; the token has ${challenge.grantedScope ? `"${printable(challenge.grantedScope)}"` : 'none of them'}.`,
    );
    if (options.stepUp) return true;
    return ask ? ask('Sign in again for those scopes?') : false;
  };
  const controller = new AbortController();
  const onSigint = () => controller.abort(new CancelledError());
  process.once('SIGINT', onSigint);
  try {
    ui.info(
      `Signing in to ${printable(target.url)} (${target.transport}; URL from ${target.urlSource}) as app ${printable(options.appId)}.`,
    );
    const outcome = await runTrySession({
      url: target.url,
      transport: target.transport,
      app: { id: options.appId, secret: options.appSecret },
      scope: options.scope,
      tool: options.tool,
      args: options.args,
      stepUp,
      timeoutMs: options.timeout,
      port: options.port,
      signal: controller.signal,
      expectedIssuer: env.LOGTO_ISSUER,
      showAuthorization: async (url, round) => {
        ui.info(
          round === 1
            ? 'Sign in through Logto at this URL:'
            : 'Sign in again, for the scopes the tool needs, at this URL:',
        );
        out.write(`${url.href}\n`);
        if (options.open && !(await openBrowser(url.href)))
          ui.info('No browser could be opened; open the URL above yourself.');
      },
      waiting: (timeoutMs) =>
        startCountdown(out, `Waiting for the sign-in in the browser`, timeoutMs, () =>
          ui.info(`Waiting up to ${formatDuration(timeoutMs)} for the sign-in in the browser…`),
        ),
    });
    if (json) process.stdout.write(`${JSON.stringify(outcome, null, 2)}\n`);
    else printResult(ui, outcome);
    if (outcome.isError) process.exitCode = 1;
  } finally {
    process.off('SIGINT', onSigint);
  }
}
