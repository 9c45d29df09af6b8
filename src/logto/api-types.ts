// The Logto Management API as the official @logto/api package describes it (types generated from Logto's
// OpenAPI document). Types only: `import type` is erased, so nothing of @logto/api reaches the CLI bundle.
// The client (management-api.ts) and the test emulator take their paths, methods and bodies from here,
// so a wrong path, method or body field fails `tsc`.
import type { createApiClient } from '@logto/api/management';
import type { Client } from 'openapi-fetch';

/** @logto/api exports no `paths` type of its own; its typed client carries it. */
type OfficialPaths = ReturnType<typeof createApiClient> extends Client<infer P> ? P : never;

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

type Operation<M extends Method, P extends keyof OfficialPaths> = NonNullable<OfficialPaths[P][M]>;

/** Every documented path that has method M, as a template: `/api/resources/{resourceId}/scopes`. */
export type PathOf<M extends Method> = {
  [P in keyof OfficialPaths]: [Operation<M, P>] extends [never] ? never : P;
}[keyof OfficialPaths];

/**
 * @logto/api 1.42 types redirect URIs as objects (`{ [key: string]: unknown }[]`), an artefact of its
 * OpenAPI generation: Logto takes and returns strings (`oidcClientMetadataGuard`). Corrected here.
 */
type StringUris<T> = T extends readonly (infer E)[]
  ? StringUris<E>[]
  : T extends object
    ? { [K in keyof T]: K extends 'redirectUris' | 'postLogoutRedirectUris' ? string[] : StringUris<T[K]> }
    : T;

/** The path parameters (`{ id: string }`), or undefined for a path without any. */
export type PathParams<M extends Method, P extends PathOf<M>> =
  Operation<M, P> extends { parameters: { path: infer X } } ? X : undefined;

/** The JSON request body, or never for an operation that takes none. */
export type RequestBody<M extends Method, P extends PathOf<M>> =
  Operation<M, P> extends { requestBody: { content: { 'application/json': infer B } } } ? StringUris<B> : never;

/** The JSON body of the success response (200, else 201), or void when it has none. */
export type ResponseBody<M extends Method, P extends PathOf<M>> = Operation<M, P>['responses'] extends infer R
  ? R extends { 200: { content: { 'application/json': infer J } } }
    ? StringUris<J>
    : R extends { 201: { content: { 'application/json': infer J } } }
      ? unknown extends J
        ? void
        : StringUris<J>
      : void
  : never;

/** The element type of a list response. */
export type ListItem<P extends PathOf<'get'>> = ResponseBody<'get', P> extends ReadonlyArray<infer T> ? T : never;
