// Signs in to an MCP server as a third-party MCP client does, with the official MCP SDK client and its OAuth
// client: the server's 401 names its protected-resource metadata, that names Logto, Logto's metadata names its
// endpoints; the SDK sends the authorization request (code + PKCE + resource), try waits for the loopback
// redirect, the SDK exchanges the code, and the client connects again and calls the tool.
import {
  auth,
  Client,
  InsufficientScopeError,
  SSEClientTransport,
  StreamableHTTPClientTransport,
  UnauthorizedError,
} from '@modelcontextprotocol/client';
import { UsageError } from '../errors.js';
import { GENERATOR_VERSION } from '../plan.js';
import { printable } from '../printable.js';
import { startCallbackServer } from './callback-server.js';
import { ClientFetch } from './client-fetch.js';
import { InMemoryOAuthProvider, type AppCredentials } from './oauth-provider.js';
import type { McpTransport } from './target.js';
import { formatDuration } from './duration.js';
import { explainDenial, explainFailure } from './explain.js';

export interface TrySessionInput {
  url: string;
  transport: McpTransport;
  app: AppCredentials;
  /** Requested instead of the scope the server's challenge names. */
  scope?: string;
  tool: string;
  args: Record<string, unknown>;
  /** Whether to sign in again for the scopes a 403 insufficient_scope names; undefined: refuse. */
  stepUp: (challenge: ScopeChallenge) => Promise<boolean>;
  /** Shows the authorization URL (and opens a browser); called for each sign-in. */
  showAuthorization: (url: URL, round: number) => void | Promise<void>;
  /** Runs while try waits for the browser to come back; the returned function stops it. */
  waiting: (timeoutMs: number) => () => void;
  timeoutMs: number;
  /** The loopback redirect's port; any free one when not given. */
  port?: number;
  /** Aborted by Ctrl-C. */
  signal: AbortSignal;
  /** The authorization server the app belongs to (LOGTO_ISSUER), required before a client secret is sent. */
  expectedIssuer?: string;
  fetch?: typeof fetch;
}

export interface ScopeChallenge {
  tool: string;
  requiredScope?: string;
  grantedScope?: string;
  description?: string;
}

export interface TryResult {
  tool: string;
  /** What the tool answered: its structured content, else its text parsed as JSON when it is, else the text. */
  result: unknown;
  isError: boolean;
  /** Scopes the last access token was granted (from the token response); never the token itself. */
  grantedScope?: string;
  signIns: number;
}

const MAX_SIGN_INS = 3;

export class TimeoutError extends UsageError {}

export async function runTrySession(input: TrySessionInput): Promise<TryResult> {
  const callback = await startCallbackServer(input.port);
  try {
    return await signInAndCall(input, callback);
  } finally {
    await callback.close();
  }
}

async function signInAndCall(
  input: TrySessionInput,
  callback: Awaited<ReturnType<typeof startCallbackServer>>,
): Promise<TryResult> {
  const serverUrl = new URL(input.url);
  const clientFetch = new ClientFetch(
    { present: Boolean(input.app.secret), issuer: input.expectedIssuer },
    input.fetch,
  );
  const guardedFetch = clientFetch.fetch;

  let signIns = 0;
  let requestedScope = '';
  let pendingAuthorization = false;
  const steppedUpFor = new Set<string>();
  const provider = new InMemoryOAuthProvider(input.app, callback.redirectUrl, async (url) => {
    signIns += 1;
    if (signIns > MAX_SIGN_INS)
      throw new UsageError(
        `The server asked for a sign-in ${signIns} times; stopping. Run doctor to see why its tokens are refused.`,
      );
    clientFetch.checkSecretTarget(url);
    // --scope replaces the first request's scope; a step-up asks for what the challenge named.
    if (input.scope && signIns === 1) url.searchParams.set('scope', input.scope);
    requestedScope = url.searchParams.get('scope') ?? '';
    pendingAuthorization = true;
    await input.showAuthorization(url, signIns);
  });

  const finishSignIn = async () => {
    pendingAuthorization = false;
    const params = await waitForCallback(callback, provider, input);
    const error = params.get('error');
    if (error) throw new UsageError(explainDenial(error, params.get('error_description') ?? undefined, requestedScope));
    const code = params.get('code');
    if (!code) throw new UsageError('Logto redirected back without a code or an error; nothing to sign in with.');
    const outcome = await auth(provider, {
      serverUrl,
      authorizationCode: code,
      iss: params.get('iss') ?? undefined,
      resourceMetadataUrl: clientFetch.resourceMetadataUrl,
      fetchFn: guardedFetch,
    });
    if (outcome !== 'AUTHORIZED') throw new UsageError('The code could not be exchanged for a token.');
  };

  for (let attempt = 0; attempt <= MAX_SIGN_INS; attempt++) {
    const options = { authProvider: provider, fetch: guardedFetch };
    const transport =
      input.transport === 'sse'
        ? new SSEClientTransport(serverUrl, options)
        : new StreamableHTTPClientTransport(serverUrl, { ...options, onInsufficientScope: 'throw' });
    const client = new Client({ name: 'create-logto-mcp try', version: GENERATOR_VERSION });
    clientFetch.scopeChallenge = undefined;
    try {
      await client.connect(transport);
      const raw = await client.callTool({ name: input.tool, arguments: input.args });
      return { tool: input.tool, ...toolOutcome(raw), grantedScope: provider.tokens()?.scope, signIns };
    } catch (error) {
      if (input.signal.aborted) throw input.signal.reason;
      if (error instanceof UsageError) throw error;
      if (pendingAuthorization && isAuthorizationRequest(error)) {
        await finishSignIn();
        continue;
      }
      const insufficient = error instanceof InsufficientScopeError ? error : clientFetch.scopeChallenge;
      if (insufficient) {
        const challenge: ScopeChallenge = {
          tool: input.tool,
          requiredScope: insufficient.requiredScope,
          grantedScope: provider.tokens()?.scope,
          description: insufficient.errorDescription,
        };
        if (steppedUpFor.has(challenge.requiredScope ?? '')) {
          throw new UsageError(
            `Signed in again, but the token still lacks what ${input.tool} needs ("${printable(challenge.requiredScope ?? '')}"): ` +
              'the user holds no role granting it, or the app does not have it among its consent scopes. Run doctor to see which.',
          );
        }
        if (!(await input.stepUp(challenge))) throw new StepUpRefused(challenge);
        steppedUpFor.add(challenge.requiredScope ?? '');
        // As the SDK's own step-up: what was asked for before, what the token has, and what the challenge names.
        const scope = union(requestedScope, provider.tokens()?.scope, insufficient.requiredScope);
        const outcome = await auth(provider, {
          serverUrl,
          resourceMetadataUrl: insufficient.resourceMetadataUrl ?? clientFetch.resourceMetadataUrl,
          scope,
          forceReauthorization: true,
          fetchFn: guardedFetch,
        });
        if (outcome === 'REDIRECT') await finishSignIn();
        continue;
      }
      throw new UsageError(explainFailure(error, input.url));
    } finally {
      await client.close().catch(() => undefined);
    }
  }
  throw new UsageError(
    `No successful call after ${MAX_SIGN_INS} sign-ins; run doctor to see why the server refuses the tokens.`,
  );
}

/** The 403 insufficient_scope challenge, not followed (no --step-up, or the user said no). */
export class StepUpRefused extends UsageError {
  constructor(readonly challenge: ScopeChallenge) {
    super(
      `Not signed in again for "${printable(challenge.requiredScope ?? '')}": run again with --step-up to do so (a user without a role granting those scopes still will not get them).`,
    );
  }
}

function isAuthorizationRequest(error: unknown): boolean {
  return (
    error instanceof UnauthorizedError ||
    (error as Error)?.name === 'UnauthorizedError' ||
    /unauthori[sz]ed/i.test(String((error as Error)?.message))
  );
}

async function waitForCallback(
  callback: Awaited<ReturnType<typeof startCallbackServer>>,
  provider: InMemoryOAuthProvider,
  input: TrySessionInput,
): Promise<URLSearchParams> {
  const state = provider.expectedState;
  if (!state)
    throw new UsageError('The SDK started a sign-in without a state; refusing to wait for an unbound answer.');
  const timeout = AbortSignal.timeout(input.timeoutMs);
  const signal = AbortSignal.any([timeout, input.signal]);
  const stopWaiting = input.waiting(input.timeoutMs);
  try {
    return await callback.waitForCallback(state, signal);
  } catch (error) {
    if (timeout.aborted) {
      throw new TimeoutError(
        `No sign-in within ${formatDuration(input.timeoutMs)}; nothing was kept. Run again (--timeout sets the wait).`,
      );
    }
    throw error;
  } finally {
    stopWaiting();
  }
}

function toolOutcome(raw: unknown): { result: unknown; isError: boolean } {
  const r = raw as { structuredContent?: unknown; content?: Array<{ type: string; text?: string }>; isError?: boolean };
  const isError = Boolean(r.isError);
  if (r.structuredContent !== undefined) return { result: r.structuredContent, isError };
  const text = r.content
    ?.filter((c) => c.type === 'text')
    .map((c) => c.text ?? '')
    .join('\n');
  if (text === undefined) return { result: raw, isError };
  try {
    return { result: JSON.parse(text), isError };
  } catch {
    return { result: text, isError };
  }
}

function union(...lists: Array<string | undefined>): string {
  return [...new Set(lists.flatMap((list) => list?.split(' ') ?? []).filter(Boolean))].join(' ');
}
