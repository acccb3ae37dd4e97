import { XMLParser } from 'fast-xml-parser';
import { bearer, Stack, startStack } from '../support/stack';

const day = (n: number) => `2025-03-${String(n).padStart(2, '0')}T00:00:00Z`;
const paper = (id: string, title: string, abstract: string, categories: string[], published: number, authors = ['Some One']) => ({
  id,
  title,
  abstract,
  authors,
  categories,
  publishedAt: day(published),
});

/** Two topics the test model separates (graphs, robots), a third (vision), and a muted one. */
const corpus = [
  ...Array.from({ length: 8 }, (_, i) =>
    paper(`graph-${i}`, `Graph neural networks ${i}`, `Message passing over graph nodes and edges, study ${i}.`, ['cs.LG'], 1 + i),
  ),
  ...Array.from({ length: 8 }, (_, i) =>
    paper(`robot-${i}`, `Robot grasping ${i}`, `A robotic gripper for manipulation and grasp planning, study ${i}.`, ['cs.RO'], 1 + i),
  ),
  ...Array.from({ length: 8 }, (_, i) =>
    paper(`vision-${i}`, `Image segmentation ${i}`, `Pixel detection in camera images, study ${i}.`, ['cs.CV'], 1 + i),
  ),
  paper('graph-twin', 'Graph neural networks 0', 'Message passing over graph nodes and edges, study 0 again.', ['cs.LG'], 9),
  paper('graph-crypto', 'Graph neural networks for crypto', 'Message passing over graph nodes and edges for crypto trading.', ['cs.LG'], 9),
  paper('ada-1', 'Quantum circuits', 'Entanglement of qubits in a circuit.', ['quant-ph'], 3, ['Ada Lovelace']),
  paper('ada-2', 'Quantum photon circuits', 'Photon entanglement of qubits.', ['quant-ph'], 9, ['Ada Lovelace']),
];

describe('personalized feed (api + worker processes)', () => {
  let stack: Stack;
  let user: { id: string; token: string };
  let other: { id: string; token: string };

  const feed = async (query = '') => {
    const response = await stack.get(`/v1/users/${user.id}/feed${query}`, bearer(user.token));
    expect(response.status).toBe(200);
    return response.body as {
      items: { paper: { id: string }; score: number; reasons: Record<string, string>[] }[];
      nextCursor: string | null;
    };
  };
  const ids = (page: { items: { paper: { id: string } }[] }) => page.items.map((i) => i.paper.id);
  const events = (events: unknown[], token = user.token, id = user.id) =>
    stack.request('POST', `/v1/users/${id}/events`, { body: { events }, headers: bearer(token) });

  beforeAll(async () => {
    stack = await startStack();
    await stack.ingest(corpus);
    user = (await stack.request('POST', '/v1/users', { body: { name: 'Reader' } })).body;
    other = (await stack.request('POST', '/v1/users', { body: { name: 'Other' } })).body;
  });

  afterAll(() => stack?.stop());

  it('gives a new user without history a useful feed (trending and fresh), with reasons', async () => {
    const page = await feed('?limit=10');
    expect(page.items).toHaveLength(10);
    for (const item of page.items) expect(item.reasons.length).toBeGreaterThan(0);
    expect(page.items.flatMap((i) => i.reasons.map((r) => r.type))).toEqual(expect.arrayContaining(['fresh']));
  });

  it('answers 401 without a token and 403 for another user; counts and interests show on GET', async () => {
    expect((await stack.get(`/v1/users/${user.id}/feed`)).status).toBe(401);
    expect((await stack.get(`/v1/users/${user.id}/feed`, bearer(other.token))).status).toBe(403);
    expect((await events([{ paperId: 'graph-0', type: 'view' }], other.token)).status).toBe(403);
    const me = await stack.get(`/v1/users/${user.id}`, bearer(user.token));
    expect(me.body).toMatchObject({
      id: user.id,
      name: 'Reader',
      interests: { categories: [], keywords: [], authors: [], papers: [], mutedKeywords: [] },
      counts: { events: 0, saved: 0, dismissed: 0 },
    });
    expect(me.body.feedToken).toEqual(expect.any(String));
  });

  it('rejects events naming unknown papers, writing nothing', async () => {
    const response = await events([
      { paperId: 'graph-1', type: 'save' },
      { paperId: 'no-such-paper', type: 'save' },
    ]);
    expect(response.status).toBe(400);
    expect(response.body.message).toContain('no-such-paper');
    expect((await events([{ paperId: 'graph-1', type: 'like' }])).status).toBe(400);
    expect((await stack.get(`/v1/users/${user.id}`, bearer(user.token))).body.counts.events).toBe(0);
  });

  it('learns two topics from saves at once, shows both on page 1 and never shows saved papers', async () => {
    const accepted = await events([
      { paperId: 'graph-1', type: 'save' },
      { paperId: 'graph-2', type: 'save' },
      { paperId: 'graph-3', type: 'upvote' },
      { paperId: 'robot-1', type: 'save' },
      { paperId: 'robot-2', type: 'save' },
      { paperId: 'robot-3', type: 'click' },
    ]);
    expect(accepted.status).toBe(202);
    const page = await feed('?limit=10');
    const first = ids(page);
    expect(first).not.toContain('graph-1');
    expect(first).not.toContain('robot-1');
    expect(first).not.toContain('graph-3');
    expect(first.filter((id) => id.startsWith('graph-')).length).toBeGreaterThan(0);
    expect(first.filter((id) => id.startsWith('robot-')).length).toBeGreaterThan(0);
    const similarReasons = page.items.flatMap((i) =>
      i.reasons.filter((r) => r.type === 'similar').map((r) => ({ paperId: r.paperId, title: r.title, item: i.paper.id })),
    );
    // A reason names one of the user's papers by id and title, never the item itself.
    for (const reason of similarReasons) {
      expect(reason.paperId).not.toBe(reason.item);
      expect(reason.title).toMatch(/^(Graph neural networks|Robot grasping)/);
    }
    const similar = similarReasons.map((r) => r.paperId);
    expect(similar.length).toBeGreaterThan(0);
    for (const liked of similar) expect(['graph-1', 'graph-2', 'graph-3', 'robot-1', 'robot-2', 'robot-3']).toContain(liked);
    expect((await stack.get(`/v1/users/${user.id}`, bearer(user.token))).body.counts).toEqual({ events: 6, saved: 4, dismissed: 0 });
    // Interactions count toward trending once the worker folds them: fresh saves lift these papers
    // above newer ones nobody touched.
    await stack.drained('profile');
    const trending = await stack.get('/v1/papers?sort=trending&limit=3');
    for (const item of trending.body.items) expect(['graph-1', 'graph-2', 'robot-1', 'robot-2']).toContain(item.id);
  });

  it('drops a dismissed paper at once, and pushes down its near-duplicate', async () => {
    const scoreOf = (page: Awaited<ReturnType<typeof feed>>, id: string) => page.items.find((i) => i.paper.id === id)?.score;
    const before = await feed('?limit=40');
    expect(ids(before)).toContain('graph-0');
    expect((await events([{ paperId: 'graph-0', type: 'dismiss' }])).status).toBe(202);
    const after = await feed('?limit=40');
    expect(ids(after)).not.toContain('graph-0');
    expect(scoreOf(after, 'graph-twin')).toBeLessThan(scoreOf(before, 'graph-twin')! - 0.1);
    expect(ids(after)).toContain('robot-4'); // the other topic stays
  });

  it('folds events in the worker: a learned model and a shortlist, and the feed keeps reflecting each change', async () => {
    await stack.drained('profile');
    const [profile] = await stack.db.dataSource.query(
      `SELECT model IS NOT NULL AS trained, positives, cardinality(shortlist) AS shortlisted,
              through_event_id = (SELECT max(id) FROM user_events WHERE user_id = $1) AS current
       FROM user_profiles WHERE user_id = $1`,
      [user.id],
    );
    // Positives: the saves, the upvote and the click of the earlier test (the dismissal is a negative).
    expect(profile).toEqual({ trained: true, positives: 6, shortlisted: expect.any(Number), current: true });
    expect(profile.shortlisted).toBeGreaterThan(10);
    // A repeated request reuses the ranking; an upvote through the papers route still changes the next one.
    const before = ids(await feed('?limit=40'));
    expect(ids(await feed('?limit=40'))).toEqual(before);
    const top = before[0];
    expect((await stack.request('POST', `/v1/papers/${top}/upvote`, { headers: bearer(user.token) })).status).toBeLessThan(300);
    expect(ids(await feed('?limit=40'))).not.toContain(top);
  });

  it('follows stated interests: authors seed the feed, muted keywords hold, categories and keywords give reasons', async () => {
    const set = await stack.request('PUT', `/v1/users/${user.id}/interests`, {
      body: { authors: ['Ada Lovelace'], categories: ['cs.CV'], keywords: ['segmentation'], mutedKeywords: ['crypto'] },
      headers: bearer(user.token),
    });
    expect(set.status).toBe(200);
    expect(set.body.interests).toMatchObject({ authors: ['Ada Lovelace'], mutedKeywords: ['crypto'], papers: [] });
    const page = await feed('?limit=40');
    expect(ids(page)).not.toContain('graph-crypto');
    const reasons = page.items.flatMap((i) => i.reasons);
    expect(reasons).toContainEqual({ type: 'interest', author: 'Ada Lovelace' });
    expect(reasons).toContainEqual({ type: 'interest', category: 'cs.CV' });
    expect(reasons).toContainEqual({ type: 'interest', keyword: 'segmentation' });
    const bad = await stack.request('PUT', `/v1/users/${user.id}/interests`, { body: { papers: ['nope-1'] }, headers: bearer(user.token) });
    expect(bad.status).toBe(400);
    expect((await stack.get(`/v1/users/${user.id}`, bearer(user.token))).body.interests.authors).toEqual(['Ada Lovelace']);
  });

  it('filters by category and since, and pages without repeats', async () => {
    const cv = await feed('?category=cs.CV&limit=50');
    expect(cv.items.length).toBeGreaterThan(0);
    for (const item of cv.items) expect((item.paper as unknown as { categories: string[] }).categories).toContain('cs.CV');
    const recent = await feed('?since=2025-03-08&limit=50');
    for (const item of recent.items) expect((item.paper as unknown as { publishedAt: string }).publishedAt >= '2025-03-08').toBe(true);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof feed>> = await feed(`?limit=7${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...ids(page));
      cursor = page.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBeGreaterThan(15);
  });

  it('serves the feed as Atom with the feed token, and rotating the token revokes the old one', async () => {
    const { feedToken } = (await stack.get(`/v1/users/${user.id}`, bearer(user.token))).body;
    const atom = await stack.get(`/v1/users/${user.id}/feed.atom?token=${feedToken}`, {});
    expect(atom.status).toBe(200);
    expect(atom.headers.get('content-type')).toMatch(/^application\/atom\+xml/);
    const { feed: doc } = new XMLParser({ isArray: (name) => name === 'entry' || name === 'author' }).parse(atom.body as string);
    expect(doc.entry.length).toBeGreaterThan(0);
    expect(doc.entry[0].summary).toMatch(/^Why: /);
    const wrong = await stack.get(`/v1/users/${user.id}/feed.atom?token=wrong`, {});
    expect(wrong.status).toBe(401);
    // An error of an Atom route is still the contract's JSON.
    expect(wrong.headers.get('content-type')).toMatch(/^application\/json/);
    expect(wrong.body).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
    // The database holds no feed token, nor anything it could be read from.
    const [row] = await stack.db.dataSource.query(`SELECT to_jsonb(u) AS data FROM users u WHERE id = $1`, [user.id]);
    expect(JSON.stringify(row.data)).not.toContain(feedToken.slice(4));
    const rotated = await stack.request('POST', `/v1/users/${user.id}/feed-token`, { headers: bearer(user.token) });
    expect(rotated.body.feedToken).not.toBe(feedToken);
    expect((await stack.get(`/v1/users/${user.id}/feed.atom?token=${feedToken}`, {})).status).toBe(401);
    expect((await stack.get(`/v1/users/${user.id}/feed.atom?token=${rotated.body.feedToken}`, {})).status).toBe(200);
  });
});
