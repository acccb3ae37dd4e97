import { NormalizedPaper } from '@paperfeed/sources';

/** A plain normalized paper for store-level tests; `overrides` sets what a test is about. */
export function normalizedPaper(id: string, overrides: Partial<NormalizedPaper> = {}): NormalizedPaper {
  return {
    id,
    version: 1,
    title: `Title ${id}`,
    abstract: `Abstract of ${id}`,
    authors: ['Ada Lovelace'],
    categories: ['cs.LG'],
    publishedAt: new Date('2025-01-02T00:00:00Z'),
    url: `https://arxiv.org/abs/${id}`,
    upvotes: null,
    ...overrides,
  };
}
