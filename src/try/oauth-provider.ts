// The MCP SDK's OAuth client, given what a pre-registered Logto app is: a fixed client ID (and a secret for a
// Traditional app), a loopback redirect, and nothing kept anywhere but this object's fields.
import type {
  OAuthClientMetadata,
  OAuthClientProvider,
  OAuthDiscoveryState,
  StoredOAuthClientInformation,
  StoredOAuthTokens,
} from '@modelcontextprotocol/client';
import { randomBytes } from 'node:crypto';

export interface AppCredentials {
  id: string;
  secret?: string;
}

export class InMemoryOAuthProvider implements OAuthClientProvider {
  #tokens?: StoredOAuthTokens;
  #codeVerifier?: string;
  #discovery?: OAuthDiscoveryState;
  #state?: string;

  constructor(
    private readonly app: AppCredentials,
    readonly redirectUrl: string,
    /** Called with the authorization URL the SDK built; try prints it and opens the browser. */
    private readonly onAuthorization: (url: URL) => void | Promise<void>,
  ) {}

  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: 'create-logto-mcp try',
      redirect_uris: [this.redirectUrl],
      // No refresh_token: tokens live for this one run, so the SDK asks for no offline_access.
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: this.app.secret ? 'client_secret_basic' : 'none',
    };
  }

  /** The state of the authorization in progress, which the callback must carry back. */
  get expectedState(): string | undefined {
    return this.#state;
  }

  state(): string {
    this.#state = randomBytes(24).toString('base64url');
    return this.#state;
  }

  clientInformation(): StoredOAuthClientInformation {
    return { client_id: this.app.id, ...(this.app.secret ? { client_secret: this.app.secret } : {}) };
  }

  tokens(): StoredOAuthTokens | undefined {
    return this.#tokens;
  }

  saveTokens(tokens: StoredOAuthTokens): void {
    this.#tokens = tokens;
  }

  saveCodeVerifier(verifier: string): void {
    this.#codeVerifier = verifier;
  }

  codeVerifier(): string {
    if (!this.#codeVerifier) throw new Error('no PKCE code verifier saved');
    return this.#codeVerifier;
  }

  saveDiscoveryState(state: OAuthDiscoveryState): void {
    this.#discovery = state;
  }

  discoveryState(): OAuthDiscoveryState | undefined {
    return this.#discovery;
  }

  invalidateCredentials(scope: 'all' | 'client' | 'tokens' | 'verifier' | 'discovery'): void {
    if (scope === 'all' || scope === 'tokens') this.#tokens = undefined;
    if (scope === 'all' || scope === 'verifier') this.#codeVerifier = undefined;
    if (scope === 'all' || scope === 'discovery') this.#discovery = undefined;
  }

  async redirectToAuthorization(authorizationUrl: URL): Promise<void> {
    await this.onAuthorization(authorizationUrl);
  }
}
