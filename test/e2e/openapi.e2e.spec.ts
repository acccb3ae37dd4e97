import 'reflect-metadata';
import { RequestMethod, Type } from '@nestjs/common';
import { GUARDS_METADATA, METHOD_METADATA, MODULE_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { AppConfig } from '@paperfeed/config';
import { ApiModule } from '../../apps/api/src/api.module';
import { AdminGuard } from '../../apps/api/src/common/admin.guard';
import { UserGuard } from '../../apps/api/src/common/user.guard';
import { Stack, startStack } from '../support/stack';

/**
 * GET /docs-json must be usable by a client generator: every route the api serves is documented,
 * every operation says what its success body is, and every error answer is the one shared error
 * schema. The routes are read from the same Nest metadata the router is built from.
 */

type Json = Record<string, any>;
type Auth = 'admin' | 'user' | 'none';
interface ServedRoute {
  key: string; // "GET /v1/papers/{id}"
  auth: Auth;
}

const ERROR_SCHEMA = '#/components/schemas/ErrorBodyDto';
/** Error answers whose body is not the error schema, by design: readiness names the failed checks. */
const OWN_ERROR_BODIES: Record<string, string> = { 'GET /health/ready 503': '#/components/schemas/ReadinessDto' };
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head'];

function joinPath(...parts: (string | undefined)[]): string {
  const path = `/${parts
    .filter((p) => p && p !== '/')
    .map((p) => p!.replace(/^\/+|\/+$/g, ''))
    .filter(Boolean)
    .join('/')}`;
  return path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

/** The controllers of the api's module tree, as Nest collects them. */
function controllersOf(root: unknown, seen = new Set<unknown>()): Type[] {
  const found: Type[] = [];
  const visit = (entry: any) => {
    if (!entry) return;
    if (typeof entry.forwardRef === 'function') entry = entry.forwardRef();
    const moduleClass = typeof entry === 'function' ? entry : entry.module;
    const key = typeof entry === 'function' ? entry : entry;
    if (seen.has(key)) return;
    seen.add(key);
    const dynamic = typeof entry === 'function' ? {} : entry;
    found.push(...(Reflect.getMetadata(MODULE_METADATA.CONTROLLERS, moduleClass) ?? []), ...(dynamic.controllers ?? []));
    for (const imported of [...(Reflect.getMetadata(MODULE_METADATA.IMPORTS, moduleClass) ?? []), ...(dynamic.imports ?? [])])
      visit(imported);
  };
  visit(root);
  return [...new Set(found)];
}

/** Every route the api's controllers register, with the auth guard that protects it. */
function servedRoutes(): ServedRoute[] {
  const api = ApiModule.forRoot({} as AppConfig, 'openapi-test-admin-token');
  const routes: ServedRoute[] = [];
  for (const controller of controllersOf(api)) {
    const base: string | string[] = Reflect.getMetadata(PATH_METADATA, controller) ?? '/';
    const classGuards: unknown[] = Reflect.getMetadata(GUARDS_METADATA, controller) ?? [];
    for (const name of Object.getOwnPropertyNames(controller.prototype)) {
      const handler = controller.prototype[name];
      if (name === 'constructor' || typeof handler !== 'function') continue;
      const method: RequestMethod | undefined = Reflect.getMetadata(METHOD_METADATA, handler);
      const path: string | string[] | undefined = Reflect.getMetadata(PATH_METADATA, handler);
      if (method === undefined || path === undefined) continue;
      const guards = [...classGuards, ...(Reflect.getMetadata(GUARDS_METADATA, handler) ?? [])];
      const auth: Auth = guards.includes(AdminGuard) ? 'admin' : guards.includes(UserGuard) ? 'user' : 'none';
      for (const b of [base].flat())
        for (const p of [path].flat()) routes.push({ key: `${RequestMethod[method]} ${joinPath(b, p)}`, auth });
    }
  }
  return routes;
}

function operationsOf(document: Json): { key: string; operation: Json }[] {
  return Object.entries(document.paths ?? {}).flatMap(([path, item]) =>
    Object.entries(item as Json)
      .filter(([method]) => HTTP_METHODS.includes(method))
      .map(([method, operation]) => ({ key: `${method.toUpperCase()} ${path}`, operation: operation as Json })),
  );
}

const hasSchema = (content: Json | undefined) =>
  !!content &&
  Object.keys(content).length > 0 &&
  Object.values(content).every((media: Json) => media?.schema && Object.keys(media.schema).length > 0);

/** What a client generator would trip over; empty when the document is complete. */
function problemsOf(document: Json, served: ServedRoute[]): string[] {
  const problems: string[] = [];
  const errorSchema = document.components?.schemas?.ErrorBodyDto;
  if (!errorSchema) problems.push('components.schemas.ErrorBodyDto is missing');
  else if (!['statusCode', 'error', 'message'].every((field) => errorSchema.required?.includes(field) && errorSchema.properties?.[field])) {
    problems.push('ErrorBodyDto must require statusCode, error and message');
  }
  const operations = operationsOf(document);
  const documented = new Set(operations.map((o) => o.key));
  for (const route of served) if (!documented.has(route.key)) problems.push(`${route.key}: served but not documented`);
  const servedKeys = new Set(served.map((r) => r.key));
  for (const key of documented) if (!servedKeys.has(key)) problems.push(`${key}: documented but not served`);

  for (const { key, operation } of operations) {
    const responses: Json = operation.responses ?? {};
    const success = Object.entries(responses).filter(([status]) => /^[23]\d\d$/.test(status));
    const described = success.some(([status, response]) => status === '204' || status === '304' || hasSchema((response as Json).content));
    if (!described) problems.push(`${key}: no 2xx/3xx response with a schema`);
    for (const [status, response] of Object.entries(responses)) {
      if (!/^[45]\d\d$/.test(status)) continue;
      const expected = OWN_ERROR_BODIES[`${key} ${status}`] ?? ERROR_SCHEMA;
      const ref = (response as Json).content?.['application/json']?.schema?.$ref;
      if (ref !== expected) problems.push(`${key} ${status}: body is ${ref ?? 'undocumented'}, not ${expected}`);
    }
    const route = served.find((r) => r.key === key);
    const answers = (...statuses: string[]) => statuses.filter((s) => !responses[s]);
    if (!key.includes(' /health/')) {
      const missing = answers('401', '429');
      if (missing.length) problems.push(`${key}: does not document ${missing.join(', ')} (wrong bearer token, rate limit)`);
    }
    if (route && route.auth !== 'none') {
      const missing = answers('401', '403');
      if (missing.length) problems.push(`${key}: a ${route.auth} route that does not document ${missing.join(', ')}`);
      if (!(operation.security ?? []).some((s: Json) => 'bearer' in s))
        problems.push(`${key}: a ${route.auth} route without bearer security`);
    }
  }
  return problems;
}

describe('OpenAPI document (GET /docs-json)', () => {
  let stack: Stack;
  let document: Json;
  const served = servedRoutes();

  beforeAll(async () => {
    stack = await startStack();
    const response = await stack.get('/docs-json');
    expect(response.status).toBe(200);
    document = response.body;
  });

  afterAll(() => stack?.stop());

  it('reads the routes from the api (all domains)', () => {
    const keys = served.map((r) => r.key);
    expect(keys.length).toBeGreaterThanOrEqual(32);
    for (const key of [
      'GET /v1/papers/{id}',
      'GET /v1/users/{id}/feed',
      'POST /v1/ingest/papers',
      'GET /health/ready',
      'GET /metrics',
      'POST /v1/admin/digests/run',
    ]) {
      expect(keys).toContain(key);
    }
    expect(served.find((r) => r.key === 'POST /v1/users')!.auth).toBe('admin');
    expect(served.find((r) => r.key === 'GET /v1/users/{id}')!.auth).toBe('user');
  });

  it('documents every route, each with its success body and the shared error body', () => {
    expect(document.openapi).toMatch(/^3\./);
    expect(problemsOf(document, served)).toEqual([]);
  });

  it('says what the non-JSON routes answer', () => {
    expect(document.paths['/v1/papers.atom'].get.responses['200'].content).toHaveProperty('application/atom+xml');
    expect(document.paths['/v1/users/{id}/feed.atom'].get.responses['200'].content).toHaveProperty('application/atom+xml');
    expect(document.paths['/metrics'].get.responses['200'].content).toHaveProperty('text/plain');
    expect(document.paths['/v1/papers.atom'].get.responses['400'].content).toHaveProperty('application/json');
  });

  it('describes a feed item with each reason shape', () => {
    const schemas = document.components.schemas;
    const reasons = schemas.FeedItemDto.properties.reasons.items.oneOf.map((r: Json) => r.$ref.split('/').pop());
    expect(reasons).toHaveLength(6);
    const shapes = reasons.map((name: string) => Object.keys(schemas[name].properties).sort().join(','));
    expect(shapes.sort()).toEqual(['category,type', 'author,type', 'keyword,type', 'paperId,title,type', 'type', 'type'].sort());
  });

  it('finds what is missing (the check can fail)', () => {
    const broken: Json = JSON.parse(JSON.stringify(document));
    delete broken.paths['/v1/search'];
    broken.paths['/v1/papers/{id}'].get.responses['200'] = { description: 'a paper' };
    broken.paths['/v1/papers/{id}/similar'].get.responses['409'] = {
      description: 'not indexed',
      content: { 'application/json': { schema: { type: 'object' } } },
    };
    delete broken.paths['/v1/users/{id}'].get.responses['403'];
    const problems = problemsOf(broken, served);
    expect(problems).toEqual(
      expect.arrayContaining([
        'GET /v1/search: served but not documented',
        'GET /v1/papers/{id}: no 2xx/3xx response with a schema',
        `GET /v1/papers/{id}/similar 409: body is undocumented, not ${ERROR_SCHEMA}`,
        'GET /v1/users/{id}: a user route that does not document 403',
      ]),
    );
    expect(problemsOf(broken, [...served, { key: 'GET /v1/unknown', auth: 'none' }])).toContain(
      'GET /v1/unknown: served but not documented',
    );
  });
});
