// The fetch the MCP SDK client gets in try: it remembers what the server's challenges name (the metadata URL, and a
// 403 insufficient_scope, which the SDK's SSE client transport does not follow itself), and it never lets an app
// secret go to another Logto than the project's LOGTO_ISSUER, whatever the server's metadata names.
import { extractWWWAuthenticateParams } from '@modelcontextprotocol/client';
import { UsageError } from '../errors.js';
import { printable } from '../printable.js';

export interface ScopeChallengeSeen {
  requiredScope?: string;
  resourceMetadataUrl?: URL;
  errorDescription?: string;
}

export class ClientFetch {
  /** From the last 401 or 403 challenge that named it. */
  resourceMetadataUrl?: URL;
  /** The last 403 insufficient_scope challenge; cleared by the caller before each connection. */
  scopeChallenge?: ScopeChallengeSeen;

  constructor(
    private readonly secret: { present: boolean; issuer?: string },
    private readonly baseFetch: typeof fetch = fetch,
  ) {}

  readonly fetch: typeof fetch = async (resource, init) => {
    const target = new URL(resource instanceof Request ? resource.url : String(resource));
    this.checkSecretTarget(target, carriesClientSecret(init));
    const response = await this.baseFetch(resource, init);
    if ((response.status === 401 || response.status === 403) && response.headers.has('www-authenticate')) {
      const challenge = extractWWWAuthenticateParams(response);
      this.resourceMetadataUrl = challenge.resourceMetadataUrl ?? this.resourceMetadataUrl;
      if (response.status === 403 && challenge.error === 'insufficient_scope') {
        this.scopeChallenge = {
          requiredScope: challenge.scope,
          resourceMetadataUrl: challenge.resourceMetadataUrl,
          errorDescription: challenge.errorDescription,
        };
      }
    }
    return response;
  };

  /** Throws before a sign-in at, or a request carrying the app secret to, another origin than LOGTO_ISSUER's. */
  checkSecretTarget(target: URL, sendsSecret = true): void {
    if (!this.secret.present || !sendsSecret) return;
    const { issuer } = this.secret;
    if (issuer !== undefined && URL.canParse(issuer) && target.origin === new URL(issuer).origin) return;
    throw new UsageError(
      `The server's metadata sends the sign-in to ${printable(target.origin)}, not to LOGTO_ISSUER ${issuer ?? '(not set)'}; ` +
        'try does not sign in there with the app secret. Run doctor to compare the issuers.',
    );
  }
}

/** client_secret_basic (an Authorization: Basic header) or client_secret_post (in the form). */
function carriesClientSecret(init: RequestInit | undefined): boolean {
  const authorization = new Headers(init?.headers).get('authorization') ?? '';
  const body =
    init?.body instanceof URLSearchParams ? init.body.toString() : typeof init?.body === 'string' ? init.body : '';
  return /^basic /i.test(authorization) || /(^|&)client_secret=/.test(body);
}
