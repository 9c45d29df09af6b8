// The app MCP clients sign in with: that it exists, is third-party with consent scopes covering the server's scopes
// and the OIDC user scopes, and has a type and redirect URIs that desktop and CLI clients can use.
import { printable } from '../printable.js';
import { NATIVE_CLIENT_REDIRECT_URIS } from '../register/register.js';
import { fail, pass, skipped, warn } from './check.js';
import { add as addTo, skip, TITLES, type LogtoStep } from './logto-titles.js';

export async function checkApp(step: LogtoStep, appId: string | undefined): Promise<void> {
  const { api, declared, scopeIds } = step;
  const add = (check: Parameters<typeof addTo>[1]) => addTo(step, check);
  const skipFrom = (ids: Parameters<typeof skip>[1], why: string) => skip(step, ids, why);
  const app = appId ? await api.getApplication(appId) : null;
  if (!appId || !app) {
    const why = appId
      ? `no app with ID ${printable(appId)} in this Logto`
      : "no LOGTO_APP_ID in the project's .env and no --app-id";
    add(
      fail('logto.app', TITLES['logto.app'], why, 'Run register: it creates the app and writes LOGTO_APP_ID to .env.'),
    );
    skipFrom(['logto.app.third-party', 'logto.app.consent', 'logto.app.redirects'], 'no app');
  } else {
    add(pass('logto.app', TITLES['logto.app'], `${app.name} (${app.type}, ${app.id})`));
    if (app.isThirdParty) {
      add(
        pass(
          'logto.app.third-party',
          TITLES['logto.app.third-party'],
          'third-party: users see a consent screen naming the scopes',
        ),
      );
      const consent = await api.getConsentScopes(app.id);
      const granted = new Set(consent.resourceScopes.flatMap((group) => group.scopes.map((scope) => scope.id)));
      const missing = declared.filter((name, i) => !granted.has(scopeIds[i] ?? `missing:${name}`));
      const missingUser = ['profile', 'email'].filter((scope) => !consent.userScopes.includes(scope as never));
      if (missing.length > 0) {
        add(
          fail(
            'logto.app.consent',
            TITLES['logto.app.consent'],
            `not among its consent scopes: ${missing.join(' ')} (Logto drops them from the token)`,
            'Run register again: it adds the consent scopes.',
          ),
        );
      } else if (missingUser.length > 0) {
        add(
          warn(
            'logto.app.consent',
            TITLES['logto.app.consent'],
            `user scopes lack ${missingUser.join(', ')}: a third-party app may request only its consented OIDC scopes, so the sign-in asking for them fails (invalid_scope)`,
            'Add profile and email to the app’s consent scopes (run register again).',
          ),
        );
      } else
        add(
          pass(
            'logto.app.consent',
            TITLES['logto.app.consent'],
            `user scopes ${consent.userScopes.join(' ')}; resource scopes ${declared.join(' ') || '(none needed)'}`,
          ),
        );
    } else {
      add(
        warn(
          'logto.app.third-party',
          TITLES['logto.app.third-party'],
          'first-party: no consent screen; right for your own client, not for third-party agents',
          'Register a third-party app (register without --first-party) for agents you do not control.',
        ),
      );
      add(skipped('logto.app.consent', TITLES['logto.app.consent'], 'a first-party app has no consent scopes'));
    }
    const redirects = app.oidcClientMetadata.redirectUris;
    if (app.type === 'Native') {
      const loopback = redirects.filter((uri) => /^http:\/\/(127\.0\.0\.1|localhost)\//.test(uri));
      if (loopback.length > 0)
        add(
          pass(
            'logto.app.redirects',
            TITLES['logto.app.redirects'],
            `Native, loopback redirects on any port: ${loopback.join(' ')}`,
          ),
        );
      else {
        add(
          fail(
            'logto.app.redirects',
            TITLES['logto.app.redirects'],
            `Native, but no loopback redirect URI (has: ${redirects.join(' ') || 'none'})`,
            `Add ${NATIVE_CLIENT_REDIRECT_URIS.slice(0, 2).join(' and ')} (run register again): desktop and CLI clients, and try, redirect there.`,
          ),
        );
      }
    } else if (app.type === 'MachineToMachine') {
      add(
        fail(
          'logto.app.redirects',
          TITLES['logto.app.redirects'],
          'a machine-to-machine app cannot sign users in',
          'Use a Native (desktop and CLI clients) or Traditional (web agents) app: run register without --app-id.',
        ),
      );
    } else {
      add(
        warn(
          'logto.app.redirects',
          TITLES['logto.app.redirects'],
          `${app.type}: Logto matches its redirect URIs exactly (${redirects.join(' ') || 'none'}), so desktop and CLI clients on loopback ports cannot use it`,
          'For desktop and CLI MCP clients register a Native app (--app-type native); keep this one for the web agent whose redirect URI it lists.',
        ),
      );
    }
  }
}
