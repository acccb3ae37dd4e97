import { XMLParser } from 'fast-xml-parser';
import { loadArxivPapers, toPushedPaper } from '../support/env';
import { adminHeaders, bearer, Stack, startStack } from '../support/stack';

/** Papers written with the test model's topic words, so similarity is predictable. */
const topical = [
  {
    id: 'topic-graph-1',
    title: 'Graph neural networks with message passing',
    abstract: 'We pass messages between graph nodes along edges.',
    authors: ['Ada Graph'],
    categories: ['cs.LG'],
    publishedAt: '2025-03-01T00:00:00Z',
  },
  {
    id: 'topic-graph-2',
    title: 'GNN on large graphs',
    abstract: 'Node and edge features for a gnn.',
    authors: ['Bob Node'],
    categories: ['cs.LG'],
    publishedAt: '2025-03-02T00:00:00Z',
  },
  {
    id: 'topic-vision-1',
    title: 'Image segmentation with pixel detection',
    abstract: 'Visual detection of pixels in camera images.',
    authors: ['Cy Pixel'],
    categories: ['cs.CV'],
    publishedAt: '2025-03-03T00:00:00Z',
  },
  {
    id: 'topic-robot-1',
    title: 'Robot grasping with a gripper',
    abstract: 'Robotic manipulation and grasp planning for a robot.',
    authors: ['Dee Gripper'],
    categories: ['cs.RO'],
    publishedAt: '2025-03-04T00:00:00Z',
  },
  {
    id: 'topic-language-1',
    title: 'Language models for translation',
    abstract: 'Sentence tokens and text translation with llms.',
    authors: ['Eve Token'],
    categories: ['cs.CL'],
    publishedAt: '2025-03-05T00:00:00Z',
  },
];

describe('discovery: users, upvotes, trending, search and Atom (api + worker processes)', () => {
  let stack: Stack;
  const real = loadArxivPapers(120).map(toPushedPaper);

  beforeAll(async () => {
    stack = await startStack();
    await stack.ingest([...topical, ...real]);
  });

  afterAll(() => stack?.stop());

  const createUser = async (name = 'reader') => {
    const created = await stack.request('POST', '/v1/users', { body: { name } });
    expect(created.status).toBe(201);
    return created.body as { id: string; token: string };
  };

  describe('users and upvotes', () => {
    it('creates users only for the admin, and stores only a hash of the token', async () => {
      const user = await createUser('Ada');
      expect(user.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(user.token.length).toBeGreaterThan(30);
      // A user's token is known but not an operator's: 403; an unknown token: 401.
      expect((await stack.request('POST', '/v1/users', { body: {}, headers: bearer(user.token) })).status).toBe(403);
      expect((await stack.request('POST', '/v1/users', { body: {}, headers: bearer('pf_made-up') })).status).toBe(401);
      expect((await stack.request('POST', '/v1/users', { body: { name: 'x'.repeat(201) } })).status).toBe(400);
      const stored = await stack.db.dataSource.query(`SELECT token_hash FROM users WHERE id = $1`, [user.id]);
      expect(stored[0].token_hash).not.toContain(user.token);
    });

    it('counts one upvote per user; repeats change nothing; withdrawing works', async () => {
      const user = await createUser();
      const path = `/v1/papers/${topical[0].id}/upvote`;
      expect(await stack.request('POST', path, { headers: bearer(user.token) })).toMatchObject({ status: 200, body: { upvotes: 1 } });
      expect(await stack.request('POST', path, { headers: bearer(user.token) })).toMatchObject({ status: 200, body: { upvotes: 1 } });
      expect((await stack.get(`/v1/papers/${topical[0].id}`)).body.upvotes).toBe(1);
      expect(await stack.request('DELETE', path, { headers: bearer(user.token) })).toMatchObject({ status: 200, body: { upvotes: 0 } });
      expect(await stack.request('DELETE', path, { headers: bearer(user.token) })).toMatchObject({ status: 200, body: { upvotes: 0 } });
    });

    it('answers 401 without a valid token, 403 for the admin (who is no user), 404 for an unknown paper', async () => {
      const user = await createUser();
      expect((await stack.request('POST', `/v1/papers/${topical[0].id}/upvote`, { headers: {} })).status).toBe(401);
      expect((await stack.request('POST', `/v1/papers/${topical[0].id}/upvote`, { headers: bearer('pf_forged') })).status).toBe(401);
      expect((await stack.request('POST', `/v1/papers/${topical[0].id}/upvote`, { headers: adminHeaders })).status).toBe(403);
      const unknown = await stack.request('POST', '/v1/papers/2501.99999/upvote', { headers: bearer(user.token) });
      expect(unknown).toMatchObject({ status: 404, body: { statusCode: 404, error: 'Not Found' } });
    });

    it('gives exactly 100 upvotes when 100 users upvote at once', async () => {
      const users = await Promise.all(Array.from({ length: 100 }, (_, i) => createUser(`u${i}`)));
      const target = topical[3].id;
      const answers = await Promise.all(
        users.map((u) => stack.request('POST', `/v1/papers/${target}/upvote`, { headers: bearer(u.token) })),
      );
      expect(answers.every((a) => a.status === 200)).toBe(true);
      expect((await stack.get(`/v1/papers/${target}`)).body.upvotes).toBe(100);
      expect(Math.max(...answers.map((a) => a.body.upvotes))).toBe(100);
    });
  });

  describe('lists', () => {
    it('sorts by upvotes and trending; the upvoted paper leads both', async () => {
      const byUpvotes = await stack.get('/v1/papers?sort=upvotes&limit=3');
      expect(byUpvotes.body.items[0]).toMatchObject({ id: topical[3].id, upvotes: 100 });
      const trending = await stack.get('/v1/papers?sort=trending&limit=3');
      expect(trending.body.items[0].id).toBe(topical[3].id);
    });

    it.each(['recent', 'upvotes', 'trending'])('pages sort=%s without repeating or skipping', async (sort) => {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { body: any } = await stack.get(`/v1/papers?sort=${sort}&limit=17${cursor ? `&cursor=${cursor}` : ''}`);
        seen.push(...page.body.items.map((p: { id: string }) => p.id));
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(seen).toHaveLength(topical.length + real.length);
      expect(new Set(seen).size).toBe(seen.length);
    });

    it('refuses a cursor of another sort', async () => {
      const page = await stack.get('/v1/papers?sort=recent&limit=2');
      expect((await stack.get(`/v1/papers?sort=trending&cursor=${page.body.nextCursor}`)).status).toBe(400);
    });
  });

  describe('search', () => {
    it.each(['keyword', 'semantic', 'hybrid'])('finds the topical papers in %s mode', async (mode) => {
      const result = await stack.get(`/v1/search?q=${encodeURIComponent('graph neural networks message passing')}&mode=${mode}&limit=5`);
      expect(result.status).toBe(200);
      const ids = result.body.items.map((i: { paper: { id: string } }) => i.paper.id);
      expect(ids[0]).toBe('topic-graph-1');
      const scores = result.body.items.map((i: { score: number }) => i.score);
      expect(scores).toEqual([...scores].sort((a: number, b: number) => b - a));
    });

    it('understands phrases and exclusions', async () => {
      const phrase = await stack.get(`/v1/search?mode=keyword&q=${encodeURIComponent('"grasp planning"')}`);
      expect(phrase.body.items.map((i: { paper: { id: string } }) => i.paper.id)).toContain('topic-robot-1');
      const both = await stack.get(`/v1/search?mode=keyword&q=${encodeURIComponent('graph')}`);
      const without = await stack.get(`/v1/search?mode=keyword&q=${encodeURIComponent('graph -gnn')}`);
      const ids = (r: { body: any }) => r.body.items.map((i: { paper: { id: string } }) => i.paper.id);
      expect(ids(both)).toContain('topic-graph-2');
      expect(ids(without)).not.toContain('topic-graph-2');
      expect(ids(without)).toContain('topic-graph-1');
    });

    it('filters by category and publication dates', async () => {
      const q = encodeURIComponent('robot grasping gripper image segmentation graph');
      const cv = await stack.get(`/v1/search?q=${q}&category=cs.CV`);
      expect(cv.body.items.length).toBeGreaterThan(0);
      for (const item of cv.body.items) expect(item.paper.categories).toContain('cs.CV');
      const window = await stack.get(`/v1/search?q=${q}&from=2025-03-03&to=2025-03-04`);
      const ids = window.body.items.map((i: { paper: { id: string } }) => i.paper.id);
      expect(ids).toEqual(expect.arrayContaining(['topic-vision-1', 'topic-robot-1']));
      for (const item of window.body.items) {
        expect(item.paper.publishedAt >= '2025-03-03').toBe(true);
        expect(item.paper.publishedAt < '2025-03-05').toBe(true);
      }
    });

    it('takes a pasted abstract, and a query of no known words', async () => {
      const abstract = await stack.get(`/v1/search?q=${encodeURIComponent(real[7].abstract.slice(0, 500))}&limit=3`);
      expect(abstract.status).toBe(200);
      expect(abstract.body.items[0].paper.id).toBe(real[7].id);
      const unknown = await stack.get(`/v1/search?q=${encodeURIComponent('?!?! …')}`);
      expect(unknown).toMatchObject({ status: 200, body: { items: [], nextCursor: null } });
    });

    it('pages through results without repeats', async () => {
      const q = encodeURIComponent('learning models data');
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { status: number; body: any } = await stack.get(`/v1/search?q=${q}&limit=10${cursor ? `&cursor=${cursor}` : ''}`);
        expect(page.status).toBe(200);
        seen.push(...page.body.items.map((i: { paper: { id: string } }) => i.paper.id));
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(seen.length).toBeGreaterThan(20);
      expect(new Set(seen).size).toBe(seen.length);
    });

    it.each([
      ['an empty query', 'q=', 'q'],
      ['a blank query', 'q=%20%20', 'q'],
      ['a missing query', 'mode=hybrid', 'q'],
      ['an over-long query', `q=${'a'.repeat(501)}`, 'q'],
      ['an unknown mode', 'q=graph&mode=fuzzy', 'mode'],
      ['a bad date', 'q=graph&from=yesterday', 'from'],
      ['a cursor of another search', `q=graph&cursor=${Buffer.from(JSON.stringify({ o: 10, f: 'x' })).toString('base64url')}`, 'cursor'],
    ])('answers 400 for %s', async (_, query, field) => {
      const result = await stack.get(`/v1/search?${query}`);
      expect(result.status).toBe(400);
      expect(result.body.message).toContain(field);
    });
  });

  describe('Atom', () => {
    it('serves public lists as valid Atom with the required elements', async () => {
      const result = await stack.get('/v1/papers.atom?sort=trending&category=cs.LG');
      expect(result.status).toBe(200);
      expect(result.headers.get('content-type')).toMatch(/^application\/atom\+xml/);
      const parser = new XMLParser({ ignoreAttributes: false, isArray: (name) => ['entry', 'author', 'link', 'category'].includes(name) });
      const { feed } = parser.parse(result.body as string);
      expect(feed['@_xmlns']).toBe('http://www.w3.org/2005/Atom');
      expect(feed.id).toBeTruthy();
      expect(feed.title).toContain('cs.LG');
      expect(new Date(feed.updated).toISOString()).toBe(feed.updated);
      expect(feed.entry.length).toBeGreaterThan(0);
      for (const entry of feed.entry) {
        expect(entry.id).toMatch(/^urn:paperfeed:paper:/);
        expect(entry.title).toBeTruthy();
        expect(entry.author[0].name).toBeTruthy();
        expect(entry.link[0]['@_href']).toMatch(/^https?:\/\//);
        expect(new Date(entry.published).getTime()).not.toBeNaN();
        expect(new Date(entry.updated).getTime()).not.toBeNaN();
        expect(entry.summary).toBeTruthy();
        expect(entry.category.map((c: Record<string, string>) => c['@_term'])).toContain('cs.LG');
      }
    });

    it('escapes markup in titles and abstracts', async () => {
      await stack.ingest([
        {
          id: 'markup-1',
          title: 'Less <than> & "more"',
          abstract: 'a < b & c > d',
          authors: ["O'Brien & Co"],
          categories: ['cs.XX'],
          publishedAt: '2025-03-06T00:00:00Z',
        },
      ]);
      const result = await stack.get('/v1/papers.atom?category=cs.XX');
      const { feed } = new XMLParser({ isArray: (name) => name === 'entry' }).parse(result.body as string);
      expect(feed.entry[0].title).toBe('Less <than> & "more"');
      expect(feed.entry[0].summary).toBe('a < b & c > d');
    });

    it('refuses unknown sorts', async () => {
      expect((await stack.get('/v1/papers.atom?sort=upvotes')).status).toBe(400);
    });
  });
});
