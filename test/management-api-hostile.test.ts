// The Management API client against servers that misbehave on purpose: wrong shapes, no answer, endless
// bodies, lying Total-Number headers, escape sequences in error text. Each server is a node:http server
// on 127.0.0.1 (a free port), closed after its test.
import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { UsageError } from '../src/errors.js';
import type { ManagementTarget } from '../src/logto/endpoints.js';
import { explainLogtoError } from '../src/logto/explain.js';
import { LogtoApiError, ManagementApi, type ManagementApiOptions } from '../src/logto/management-api.js';
import { listenOnLoopback } from './support/ports.js';

type Handler = (request: http.IncomingMessage, response: http.ServerResponse, url: URL) => void;

interface Hostile {
  url: string;
  /** Every request after the token one, as `METHOD /path?query`. */
  requests: string[];
}

const servers: http.Server[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

const TOKEN = { access_token: 'token', token_type: 'Bearer', expires_in: 3600, scope: 'all' };

/** A server that hands out a token (unless `token` says otherwise) and answers everything else with `handler`. */
async function hostile(
  handler: Handler,
  token: Handler = (_request, response) => json(response, 200, TOKEN),
): Promise<Hostile> {
  const requests: string[] = [];
  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/oidc/token') return token(request, response, url);
    requests.push(`${request.method} ${url.pathname}${url.search}`);
    handler(request, response, url);
  });
  servers.push(server);
  return { url: await listenOnLoopback(server), requests };
}

function json(
  response: http.ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

function connect(server: Hostile, options: Partial<ManagementApiOptions> = {}): Promise<ManagementApi> {
  return ManagementApi.connect({
    endpoint: server.url,
    resource: 'https://default.logto.app/api',
    appId: 'm2m',
    appSecret: 'secret',
    sleep: async () => {},
    timeoutMs: 300,
    ...options,
  });
}

async function failure(promise: Promise<unknown>): Promise<LogtoApiError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(LogtoApiError);
  return error as LogtoApiError;
}

function target(server: Hostile): ManagementTarget {
  return {
    logtoEndpoint: server.url,
    managementEndpoint: server.url,
    resource: 'https://default.logto.app/api',
    deployment: 'self-hosted',
    explanation: '',
  };
}

const resource = (id: string) => ({
  tenantId: 'default',
  id,
  name: `resource ${id}`,
  indicator: `https://${id}.example.invalid/api`,
  isDefault: false,
  accessTokenTtl: 3600,
});
const RAW_CONTROLS = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/;

describe('answers of the wrong shape are a clear error, not a TypeError', () => {
  it('HTML where JSON is expected, explained as "is this a Logto Management API?"', async () => {
    const server = await hostile((_request, response) =>
      response.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>Welcome to nginx</title>'),
    );
    const api = await connect(server);

    const error = await failure(api.listResources());

    expect(error).toMatchObject({
      kind: 'response',
      request: 'GET /api/resources',
      message: 'GET /api/resources answered HTML, not JSON',
    });
    const explained = explainLogtoError(error, target(server), 'm2m');
    expect(explained).toBeInstanceOf(UsageError);
    expect((explained as UsageError).message).toBe(
      `Logto at ${server.url} gave an answer this CLI cannot use: GET /api/resources answered HTML, not JSON. ` +
        `Is ${server.url} a Logto Management API? Check the issuer and --management-endpoint.`,
    );
  });

  it.each([
    ['null', null, 'answered null, not a list'],
    ['an object', { items: [] }, 'answered an object, not a list'],
    ['a list of non-objects', [1, 2], 'answered a list whose item 1 is a number, not an object'],
    [
      'an item without id',
      [resource('a'), { name: 'b', indicator: 'https://b.example.invalid' }],
      'answered a list whose item 2 has no id',
    ],
    [
      'an empty id',
      [resource('a'), resource('b'), { ...resource('c'), id: '' }],
      "answered a list whose item 3's id is empty",
    ],
    [
      'an indicator that is not a string',
      [{ ...resource('a'), indicator: { href: 'x' } }],
      "answered a list whose item 1's indicator is an object, not a string",
    ],
  ])('a list answered with %s', async (_what, body, expected) => {
    const server = await hostile((_request, response) => json(response, 200, body, { 'total-number': '3' }));
    const api = await connect(server);

    const error = await failure(api.listResources());

    expect(error).toMatchObject({ kind: 'response', message: `GET /api/resources ${expected}` });
  });

  it('checks single objects down to the fields the CLI reads', async () => {
    const app = {
      id: 'app1',
      name: 'app',
      type: 'Native',
      isThirdParty: true,
      oidcClientMetadata: { redirectUris: ['http://127.0.0.1/cb', 7], postLogoutRedirectUris: [] },
    };
    const server = await hostile((request, response, url) => {
      if (url.pathname === '/api/applications/app1') return json(response, 200, app);
      if (url.pathname === '/api/applications/app1/secrets')
        return json(response, 200, [{ name: 'default', expiresAt: null }]);
      if (url.pathname === '/api/applications/app1/user-consent-scopes')
        return json(response, 200, { userScopes: ['profile'], resourceScopes: [{ scopes: [{ name: 'x' }] }] });
      if (request.method === 'DELETE') return response.writeHead(204).end();
      response.writeHead(200).end();
    });
    const api = await connect(server);

    expect(await failure(api.getApplication('app1'))).toMatchObject({
      message:
        'GET /api/applications/app1 answered an object whose oidcClientMetadata.redirectUris[1] is a number, not a string',
    });
    expect((await failure(api.listSecrets('app1'))).message).toBe(
      'GET /api/applications/app1/secrets answered a list whose item 1 has no value',
    );
    expect((await failure(api.getConsentScopes('app1'))).message).toBe(
      'GET /api/applications/app1/user-consent-scopes answered an object whose resourceScopes[0].scopes[0] has no id',
    );
    expect((await failure(api.createResource({ name: 'r', indicator: 'https://r.example.invalid' }))).message).toBe(
      'POST /api/resources answered nothing, not an object',
    );
    // An answer nothing is read from may be empty.
    await expect(api.deleteResource('r1')).resolves.toBeUndefined();
  });

  it('accepts extra fields and a missing optional one', async () => {
    const app = {
      id: 'app1',
      name: 'app',
      type: 'Native',
      isThirdParty: true,
      oidcClientMetadata: { redirectUris: [], postLogoutRedirectUris: [] },
      futureField: { x: 1 },
    };
    const server = await hostile((_request, response) => json(response, 200, app));
    const api = await connect(server);

    await expect(api.getApplication('app1')).resolves.toEqual(app);
  });

  it('a token endpoint that answers without a token, null, or HTML', async () => {
    for (const [answer, expected] of [
      [{ token_type: 'Bearer' }, 'POST /oidc/token answered an object with no access_token'],
      [null, 'POST /oidc/token answered null, not an object'],
      [{ access_token: '' }, 'POST /oidc/token answered an object whose access_token is empty'],
    ] as const) {
      const server = await hostile(
        () => {},
        (_request, response) => json(response, 200, answer),
      );
      expect(await failure(connect(server))).toMatchObject({ kind: 'response', message: expected });
    }
    const html = await hostile(
      () => {},
      (_request, response) => response.writeHead(200, { 'content-type': 'text/html' }).end('<html>sign in</html>'),
    );
    expect((await failure(connect(html))).message).toBe('POST /oidc/token answered HTML, not JSON');
  });
});

describe('a server that does not answer, or never stops answering', () => {
  it('times out a request that gets no answer, and gives up within twice the timeout', async () => {
    const server = await hostile(() => {});
    const api = await connect(server, { retries: 3 });
    const started = Date.now();

    const error = await failure(api.listRoles());

    expect(Date.now() - started).toBeLessThan(1500);
    expect(error).toMatchObject({ kind: 'network', request: 'GET /api/roles' });
    expect(error.message).toMatch(/^127\.0\.0\.1:\d+: no answer in 0\.\d s$/);
    expect(server.requests.length).toBeLessThanOrEqual(3);
    const explained = explainLogtoError(error, target(server), 'm2m') as UsageError;
    expect(explained.message).toContain(`Cannot reach Logto at ${server.url} (127.0.0.1`);
  });

  it('retries a GET whose first attempt got no answer, when the retry fits in twice the timeout', async () => {
    const server = await hostile((_request, response) => {
      if (server.requests.length > 1) json(response, 200, [resource('a')], { 'total-number': '1' });
    });
    const api = await connect(server, { retries: 3, timeoutMs: 1000 });

    await expect(api.listResources()).resolves.toHaveLength(1);
    expect(server.requests).toHaveLength(2);
  });

  it('does not retry a POST that got no answer: it may have been applied', async () => {
    const server = await hostile(() => {});
    const api = await connect(server, { retries: 3 });

    expect(await failure(api.createRole({ name: 'r', description: 'd' }))).toMatchObject({
      kind: 'network',
      message: expect.stringContaining('no answer in'),
    });
    expect(server.requests).toEqual(['POST /api/roles']);
  });

  it('times out the token request too', async () => {
    const server = await hostile(
      () => {},
      () => {},
    );
    expect(await failure(connect(server, { retries: 0 }))).toMatchObject({
      kind: 'network',
      request: 'POST /oidc/token',
      message: expect.stringContaining('no answer in 0.3 s'),
    });
  });

  it('times out a body that drips forever', async () => {
    const server = await hostile((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('[');
      const timer = setInterval(() => response.write(' '), 20);
      response.on('close', () => clearInterval(timer));
    });
    const api = await connect(server, { retries: 0 });
    const started = Date.now();

    expect(await failure(api.listResources())).toMatchObject({
      kind: 'network',
      message: expect.stringContaining('no answer in'),
    });
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('stops reading a body that never ends at 10 MB', async () => {
    const server = await hostile((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, ' ');
      const pump = () => {
        while (!response.destroyed && response.write(chunk));
      };
      response.on('drain', pump);
      pump();
    });
    const api = await connect(server, { retries: 0, timeoutMs: 5000 });

    expect(await failure(api.listResources())).toMatchObject({
      kind: 'response',
      message: 'GET /api/resources answered more than 10 MB',
    });
  });

  it('reads at most 64 KB of an error answer', async () => {
    const server = await hostile((_request, response) => {
      response.writeHead(400, { 'content-type': 'application/json' });
      response.write('{"code":"guard.invalid_input","message":"');
      const chunk = 'x'.repeat(16 * 1024);
      const pump = () => {
        while (!response.destroyed && response.write(chunk));
      };
      response.on('drain', pump);
      pump();
    });
    const api = await connect(server, { retries: 0, timeoutMs: 5000 });

    // The cut JSON cannot be read, so the status is all there is to say.
    expect(await failure(api.listResources())).toMatchObject({ kind: 'http', status: 400, message: 'HTTP 400' });
  });
});

describe('a redirect is never followed: it would carry the credentials or the token elsewhere', () => {
  it('neither the token request nor an API call follows a redirect, and the error names where it pointed', async () => {
    let tokenRequestsElsewhere = 0;
    const elsewhere = await hostile(
      (_request, response) => json(response, 200, []),
      (_request, response) => {
        tokenRequestsElsewhere++;
        json(response, 200, TOKEN);
      },
    );
    const redirecting = await hostile(
      (_request, response) => response.writeHead(302, { location: `${elsewhere.url}/api/resources` }).end(),
      (_request, response) => response.writeHead(307, { location: `${elsewhere.url}/oidc/token` }).end(),
    );
    const tokenError = await failure(connect(redirecting));
    expect(tokenError.message).toContain(
      `POST /oidc/token answered a redirect (307) to ${elsewhere.url}/oidc/token, which is not followed`,
    );

    const api = await connect(
      await hostile((_request, response) =>
        response.writeHead(308, { location: `${elsewhere.url}/api/resources` }).end(),
      ),
    );
    expect((await failure(api.listResources())).message).toContain('GET /api/resources answered a redirect (308)');
    expect(elsewhere.requests).toEqual([]);
    expect(tokenRequestsElsewhere).toBe(0);
  });
});

describe('pagination cannot be made to loop', () => {
  const page = (url: URL, size: number) => {
    const number = Number(url.searchParams.get('page'));
    return Array.from({ length: size }, (_, index) => resource(`p${number}i${index}`));
  };

  it('stops at 100 pages of a server that answers full pages forever', async () => {
    const server = await hostile((_request, response, url) =>
      json(response, 200, page(url, 100), { 'total-number': '1000000000' }),
    );
    const api = await connect(server);

    const error = await failure(api.listResources());

    expect(error).toMatchObject({
      kind: 'response',
      message: 'GET /api/resources answered more than 100 pages of 100 items; stopped there',
    });
    expect(server.requests).toHaveLength(100);
    expect(server.requests.at(-1)).toBe('GET /api/resources?page=100&page_size=100');
  });

  it('stops at a short page whatever Total-Number says', async () => {
    const server = await hostile((_request, response, url) =>
      json(response, 200, page(url, 3), { 'total-number': '1000000000' }),
    );
    const api = await connect(server);

    await expect(api.listResources()).resolves.toHaveLength(3);
    expect(server.requests).toEqual(['GET /api/resources?page=1&page_size=100']);
  });

  it('stops when a page repeats the previous one (a server that ignores ?page)', async () => {
    const server = await hostile((_request, response) =>
      json(response, 200, page(new URL('http://x.invalid/?page=1'), 100), { 'total-number': '1000000000' }),
    );
    const api = await connect(server);

    expect(await failure(api.listResources())).toMatchObject({
      kind: 'response',
      message: 'GET /api/resources answered page 2 with the same items as page 1',
    });
    expect(server.requests).toHaveLength(2);
  });

  it.each(['-1', 'lots', '1e9', ''])('refuses Total-Number %j', async (total) => {
    const server = await hostile((_request, response, url) =>
      json(response, 200, page(url, 100), { 'total-number': total }),
    );
    const api = await connect(server);

    expect(await failure(api.listResources())).toMatchObject({
      kind: 'response',
      message: `GET /api/resources answered Total-Number "${total}", not a count`,
    });
  });
});

describe('text a server sent reaches the terminal without its control characters', () => {
  const EVIL = 'bad \u001b[31mred\u001b[0m \u001b]0;pwned title\u0007 \u202Egnp.exe\u202C \u2066x\u2069 \u0085';

  it('an OAuth error_description and error', async () => {
    const server = await hostile(
      () => {},
      (_request, response) => json(response, 401, { error: 'invalid_client\u001b[2J', error_description: EVIL }),
    );

    const error = await failure(connect(server));

    expect(error.kind).toBe('oauth');
    expect(error.message).not.toMatch(RAW_CONTROLS);
    expect(error.code).not.toMatch(RAW_CONTROLS);
    expect(error.message).toContain('\\u{1b}[31mred');
    expect(error.message).toContain('\\u{202e}gnp.exe');
    const explained = explainLogtoError(error, target(server), 'm2m') as UsageError;
    expect(explained.message).not.toMatch(RAW_CONTROLS);
  });

  it("a Management API error's message and code", async () => {
    const server = await hostile((_request, response) =>
      json(response, 422, { code: 'entity.\u001b[31mx', message: EVIL.repeat(50) }),
    );
    const api = await connect(server);

    const error = await failure(api.createResource({ name: 'r', indicator: 'https://r.example.invalid' }));

    expect(error).toMatchObject({ kind: 'http', status: 422 });
    expect(error.message).not.toMatch(RAW_CONTROLS);
    expect(error.message.length).toBeLessThanOrEqual(501);
    expect(error.code).toBe('entity.\\u{1b}[31mx');
    const explained = explainLogtoError(error, target(server), 'm2m') as UsageError;
    expect(explained.message).not.toMatch(RAW_CONTROLS);
  });

  it("a shape error's details", async () => {
    const server = await hostile((_request, response) =>
      json(response, 200, [{ ...resource('a'), name: EVIL }, { [EVIL]: 1 }]),
    );
    const api = await connect(server);

    const error = await failure(api.listResources());

    expect(error.message).toBe('GET /api/resources answered a list whose item 2 has no id');
    // HTTP forbids C0 controls in a header, not C1 ones: \u009b is the one-byte CSI some terminals obey.
    const header = await hostile((_request, response) => json(response, 200, [], { 'total-number': 'x\u009b31m' }));
    const headerError = await failure((await connect(header)).listResources());
    expect(headerError.message).toBe('GET /api/resources answered Total-Number "x\\u{9b}31m", not a count');
  });

  it("a network error's reason", async () => {
    const fetch = async (url: string | URL | Request) => {
      if ((url instanceof Request ? url.url : String(url)).endsWith('/oidc/token'))
        return new Response(JSON.stringify(TOKEN), { status: 200 });
      throw new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED', message: `connect ECONNREFUSED ${EVIL}` } });
    };
    const api = await ManagementApi.connect({
      endpoint: 'https://logto.example.invalid',
      resource: 'r',
      appId: 'a',
      appSecret: 's',
      fetch,
      retries: 0,
    });

    const error = await failure(api.listRoles());

    expect(error).toMatchObject({ kind: 'network', causeCode: 'ECONNREFUSED' });
    expect(error.message).not.toMatch(RAW_CONTROLS);
    expect(error.message).toContain('logto.example.invalid: connect ECONNREFUSED bad \\u{1b}[31mred');
  });
});
