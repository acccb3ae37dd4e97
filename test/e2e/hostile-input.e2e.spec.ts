import { adminHeaders, bearer, Stack, startStack } from '../support/stack';

/** Inputs an attacker or a broken client sends. None may cause a 5xx or a partial write. */
const NASTY_STRINGS = [
  "' OR 1=1 --",
  '"; DROP TABLE papers; --',
  '../../../etc/passwd',
  '%2e%2e%2f%2e%2e%2f',
  '\u0000nul',
  '😀👩‍🔬 ﷽ \u202e reversed',
  'x'.repeat(100_000),
  '{"$ne": null}',
  '<script>alert(1)</script>',
];

const BODIES: unknown[] = [
  '{"unterminated": ',
  '[]',
  'null',
  '42',
  { papers: 'not a list' },
  { papers: [{ id: 42 }] },
  { events: [{ paperId: ['x'], type: {} }] },
  { email: ['a@b.c'], cadence: 1 },
  { source: { $gt: '' } },
  { every: 5, ingest: null },
  { name: { toString: 1 } },
];

describe('hostile input on every route (api + worker processes)', () => {
  let stack: Stack;
  let user: { id: string; token: string };

  beforeAll(async () => {
    stack = await startStack();
    await stack.ingest([
      { id: 'safe-1', title: 'Graph neural networks', abstract: 'Message passing.', authors: ['A'], publishedAt: '2025-03-01T00:00:00Z' },
    ]);
    user = (await stack.request('POST', '/v1/users', { body: { name: 'u' } })).body;
  });

  afterAll(() => stack?.stop());

  const routes = (s: string) => [
    ['GET', `/v1/papers/${encodeURIComponent(s)}`],
    ['GET', `/v1/papers/${encodeURIComponent(s)}/similar`],
    ['GET', `/v1/papers?date=${encodeURIComponent(s)}&category=${encodeURIComponent(s)}&sort=${encodeURIComponent(s)}`],
    ['GET', `/v1/papers?cursor=${encodeURIComponent(s)}`],
    ['GET', `/v1/search?q=${encodeURIComponent(s.slice(0, 2000))}`],
    ['GET', `/v1/search?q=graph&from=${encodeURIComponent(s)}&category=${encodeURIComponent(s)}`],
    ['GET', `/v1/jobs/${encodeURIComponent(s)}`],
    ['GET', `/v1/users/${encodeURIComponent(s)}`],
    ['GET', `/v1/users/${user.id}/feed?since=${encodeURIComponent(s)}&cursor=${encodeURIComponent(s)}`],
    ['GET', `/v1/users/${encodeURIComponent(s)}/feed.atom?token=${encodeURIComponent(s)}`],
    ['GET', `/v1/papers.atom?category=${encodeURIComponent(s)}`],
    ['GET', `/v1/subscriptions/confirm?token=${encodeURIComponent(s)}`],
    ['POST', `/v1/subscriptions/unsubscribe?token=${encodeURIComponent(s)}`],
    ['POST', `/v1/papers/${encodeURIComponent(s)}/upvote`],
    ['DELETE', `/v1/ingest/schedules/${encodeURIComponent(s)}`],
    ['POST', `/v1/admin/queues/${encodeURIComponent(s)}/pause`],
  ];

  const writable = [
    '/v1/ingest/papers',
    '/v1/ingest/sources',
    '/v1/ingest/schedules',
    '/v1/users',
    `/v1/users/${'{id}'}/events`,
    '/v1/subscriptions',
    '/v1/admin/digests/run',
  ];

  const counts = async () => {
    const tables = ['papers', 'users', 'user_events', 'subscriptions', 'harvests', 'ingest_batches', 'paper_upvotes'];
    return Promise.all(tables.map((t) => stack.count(t)));
  };

  it('answers every nasty path and query parameter without a 5xx, in the error format', async () => {
    for (const s of NASTY_STRINGS) {
      for (const [method, path] of routes(s)) {
        for (const headers of [adminHeaders, bearer(user.token), bearer(s.slice(0, 200).replace(/[^\x21-\x7e]/g, 'x'))]) {
          const response = await stack.request(method, path, { headers });
          // The route in the failure message when a 5xx slips through.
          expect({ method, path: path.slice(0, 120), status: response.status < 500 ? 'ok' : response.status }).toEqual({
            method,
            path: path.slice(0, 120),
            status: 'ok',
          });
          if (response.status >= 400) {
            expect(response.body).toEqual({ statusCode: response.status, error: expect.any(String), message: expect.any(String) });
          }
        }
      }
    }
  });

  it('rejects malformed, mistyped and oversized bodies on every write route, writing nothing', async () => {
    const before = await counts();
    for (const route of writable.map((r) => r.replace('{id}', user.id))) {
      for (const body of [...BODIES, { papers: [{ id: 'x', title: NASTY_STRINGS[6], abstract: 'a', authors: [], publishedAt: 'now' }] }]) {
        for (const headers of [adminHeaders, bearer(user.token)]) {
          const response = await stack.request('POST', route, { body, headers });
          expect(response.status).toBeGreaterThanOrEqual(400);
          expect(response.status).toBeLessThan(500);
          expect(response.body).toEqual({ statusCode: response.status, error: expect.any(String), message: expect.any(String) });
        }
      }
    }
    expect(await counts()).toEqual(before);
  });

  it('refuses JSON nested deeper than 32 levels and arrays of the wrong shape with 400, writing nothing', async () => {
    const before = await counts();
    const deep = (levels: number) => `{"papers":${'['.repeat(levels - 1)}${']'.repeat(levels - 1)}}`;
    for (const body of [deep(2000), deep(33)]) {
      const response = await stack.request('POST', '/v1/ingest/papers', { body });
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ statusCode: 400, message: expect.stringContaining('nested deeper than 32') });
    }
    const paper = { id: 'shape-1', title: 't', abstract: 'a', authors: ['A'], publishedAt: '2025-01-01T00:00:00Z' };
    const arrays = await stack.request('POST', '/v1/ingest/papers', { body: { papers: [[paper]] } });
    expect(arrays.status).toBe(400);
    expect(arrays.body.message).toContain('papers');
    const events = await stack.request('POST', `/v1/users/${user.id}/events`, {
      body: { events: [[{ paperId: 'x', type: 'view' }]] },
      headers: bearer(user.token),
    });
    expect(events.status).toBe(400);
    expect(events.body.message).toContain('events');
    expect(await counts()).toEqual(before);
  });
});
