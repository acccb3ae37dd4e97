import { loadArxivPapers, toPushedPaper } from '../support/env';
import { bearer, Stack, startStack } from '../support/stack';

/** CONTRACT v1.1: following nextCursor goes on past the first page, at least 500 items when the corpus holds them. */
describe('feed depth (api + worker processes)', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack();
    await stack.ingest(loadArxivPapers(12_000).slice(0, 620).map(toPushedPaper));
  }, 120_000);

  afterAll(() => stack?.stop());

  it('pages a feed 500 deep without repeating an item', async () => {
    const user = (await stack.request('POST', '/v1/users', { body: {} })).body as { id: string; token: string };
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await stack.get(
        `/v1/users/${user.id}/feed?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        bearer(user.token),
      );
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((item: { paper: { id: string } }) => item.paper.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen.length).toBeGreaterThanOrEqual(500);
    expect(new Set(seen).size).toBe(seen.length);
  });
});
