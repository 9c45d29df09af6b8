/**
 * What Logto would serve after registration, taken only from the Management API emulator's state: the API
 * resources and their scopes, the app (type, redirect URIs, secret, third-party consent scopes), the test user's
 * roles and the tenant's access-token claims script, given to the Logto-like issuer.
 */
import type { LogtoLikeIssuer, UserRole } from './logto-like-issuer.js';
import type { EmulatorState } from './management-api-emulator.js';

export function configureIssuerFromEmulator(
  issuer: LogtoLikeIssuer,
  state: EmulatorState,
  appId: string,
  userRoleIds: string[],
): void {
  const scopesByResource = (scopeIds: string[]): UserRole => {
    const result: UserRole = {};
    for (const scope of state.scopes.filter(({ id }) => scopeIds.includes(id))) {
      const { indicator } = state.resources.find(({ id }) => id === scope.resourceId)!;
      (result[indicator] ??= []).push(scope.name);
    }
    return result;
  };
  for (const { id, indicator } of state.resources.filter(({ id }) => id !== 'management-api')) {
    issuer.addResource(indicator, {
      scopes: state.scopes.filter(({ resourceId }) => resourceId === id).map(({ name }) => name),
    });
  }
  const app = state.applications.find(({ id }) => id === appId)!;
  const consent = state.consent.get(appId);
  issuer.addClient({
    clientId: app.id,
    type: app.type.toLowerCase() as 'native' | 'traditional' | 'spa',
    redirectUris: app.oidcClientMetadata.redirectUris,
    clientSecret: state.secrets.find(({ applicationId }) => applicationId === app.id)?.value,
    thirdParty: app.isThirdParty,
    consentScopes: consent && {
      userScopes: consent.userScopes,
      resourceScopes: scopesByResource(consent.resourceScopes),
    },
  });
  issuer.setUserRoles(
    userRoleIds.map((roleId) =>
      scopesByResource(state.rolesScopes.filter((r) => r.roleId === roleId).map((r) => r.scopeId)),
    ),
  );
  issuer.setAccessTokenClaimsScript(state.jwtCustomizers['jwt.accessToken']?.script);
}
