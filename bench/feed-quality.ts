/**
 * Issue #5 figures: the personalized feed against baselines, on the 12,000 real papers embedded by
 * glove-static-100d (bench/.cache/search-glove, made by bench/search.ts). Simulated users: 1–3
 * primary categories each, 5–20 saves of older papers of those categories and 2–4 dismissals of
 * others; the newest 25% of papers (by listing date) are held out. A held-out paper is relevant
 * when its primary category is one of the user's.
 *  - precision@20 and NDCG@20 of the real feed endpoint (GET /v1/users/:id/feed?since=<hold-out start>)
 *    against most-recent, trending, TF-IDF centroid and arxiv-sanity-lite's per-user linear SVM
 *    (TF-IDF, C = 0.01) ranking the same held-out papers;
 *  - the Scholar Inbox protocol: each held-out liked paper ranked among 100 random held-out papers
 *    and 4 disliked ones (held-out papers outside the user's categories), NDCG = 1/log2(rank + 1);
 *    the feed's side is scored by the same ranking functions the endpoint uses (libs/ranking);
 *  - feed latency at 1 connection (p95) and the time from posting an event to a feed that reflects it.
 *
 *   npx ts-node --transpile-only -r tsconfig-paths/register bench/feed-quality.ts [users=200]
 */
import * as path from 'node:path';
import { eventWeight, interestVectors, scoreCandidates, trendingScore, paperSignals } from '@paperfeed/ranking';
import { ArxivRecord, loadArxivPapers, SHARED_DIR } from '../tools/arxiv-data';
import { seededRandom } from '../tools/seeded-random';
import { median, percentile, ROOT, RunningSystem, startAllInOne } from './support';
import { buildTfidf, centroid, sparseDot, trainLinearSvm } from './tfidf';

const USERS = Number(process.argv[2] ?? 200);
const next = seededRandom(5);
const pick = <T>(items: T[], n: number): T[] => {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy.slice(0, n);
};
const between = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));

function ndcgAt(ranked: string[], relevant: Set<string>, k: number): number {
  const dcg = ranked.slice(0, k).reduce((sum, id, i) => sum + (relevant.has(id) ? 1 / Math.log2(i + 2) : 0), 0);
  const ideal = Array.from({ length: Math.min(k, relevant.size) }, (_, i) => 1 / Math.log2(i + 2)).reduce((a, b) => a + b, 0);
  return ideal ? dcg / ideal : 0;
}
const precisionAt = (ranked: string[], relevant: Set<string>, k: number) => ranked.slice(0, k).filter((id) => relevant.has(id)).length / k;

async function api(system: RunningSystem, method: string, url: string, body?: unknown, token = system.token) {
  const response = await fetch(`${system.url}${url}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status >= 300) throw new Error(`${method} ${url}: ${response.status} ${await response.text()}`);
  return response.json() as Promise<any>;
}

async function main(): Promise<void> {
  const system = await startAllInOne(
    { EMBEDDING_MODEL: path.join(SHARED_DIR, 'models', 'glove-static-100d'), EMBEDDING_DTYPE: 'fp32', RATE_LIMIT_PER_MINUTE: '0' },
    path.join(ROOT, 'bench', '.cache', 'search-glove'),
  );
  try {
    const records = loadArxivPapers(12_000).sort((a, b) => (a._listing_date! < b._listing_date! ? -1 : a._listing_date! > b._listing_date! ? 1 : a.id < b.id ? -1 : 1));
    const { rows: vectorRows } = await system.db.query(`SELECT paper_id, embedding::text AS v FROM paper_embeddings`);
    if (vectorRows.length < records.length) throw new Error('run bench/search.ts first: it indexes the papers with glove-static-100d');
    const vectors = new Map<string, Float32Array>(vectorRows.map((r: { paper_id: string; v: string }) => [r.paper_id, Float32Array.from(JSON.parse(r.v))]));
    await system.db.query(`DELETE FROM users`); // earlier runs' simulated users

    const split = Math.floor(records.length * 0.75);
    const older = records.slice(0, split);
    const newer = records.slice(split);
    const holdoutStart = `${newer[0]._listing_date}T00:00:00Z`;
    const primary = (r: ArxivRecord) => r.categories[0];
    const counts = (list: ArxivRecord[]) => list.reduce((m, r) => m.set(primary(r), (m.get(primary(r)) ?? 0) + 1), new Map<string, number>());
    const olderCounts = counts(older);
    const newerCounts = counts(newer);
    const topics = [...olderCounts.keys()].filter((c) => olderCounts.get(c)! >= 40 && (newerCounts.get(c) ?? 0) >= 15);
    console.log(`topics: ${topics.join(', ')}; older ${older.length}, held out ${newer.length} from ${holdoutStart}`);

    const texts = records.map((r) => `${r.title} ${r.summary}`);
    const tfidf = buildTfidf(texts);
    let dim = 0;
    for (const v of tfidf) for (const index of v.keys()) dim = Math.max(dim, index + 1);
    const tfidfOf = new Map(records.map((r, i) => [r.id, tfidf[i]]));
    const newerIds = newer.map((r) => r.id);
    const recentOrder = [...newer].sort((a, b) => (a._listing_date! > b._listing_date! ? -1 : a._listing_date! < b._listing_date! ? 1 : a.id > b.id ? -1 : 1)).map((r) => r.id);
    const trendingOrder = [...newer]
      .map((r) => ({ id: r.id, score: trendingScore(paperSignals({ publishedAt: new Date(`${r._listing_date}T00:00:00Z`), sourceUpvotes: 0 }, [])) }))
      .sort((a, b) => b.score - a.score || (a.id > b.id ? -1 : 1))
      .map((r) => r.id);

    type Method = 'feed' | 'recent' | 'trending' | 'tfidf' | 'svm';
    const methods: Method[] = ['feed', 'recent', 'trending', 'tfidf', 'svm'];
    const scores = Object.fromEntries(methods.map((m) => [m, { p: [] as number[], ndcg: [] as number[], si: [] as number[] }])) as Record<Method, { p: number[]; ndcg: number[]; si: number[] }>;
    const latencies: number[] = [];
    const eventToFeed: number[] = [];
    const now = new Date(`${newer.at(-1)!._listing_date}T23:59:59Z`);

    for (let u = 0; u < USERS; u++) {
      const mine = new Set(pick(topics, between(1, 3)));
      const liked = pick(older.filter((r) => mine.has(primary(r))), between(5, 20));
      const disliked = pick(older.filter((r) => !mine.has(primary(r))), between(2, 4));
      const relevant = new Set(newer.filter((r) => mine.has(primary(r))).map((r) => r.id));
      const user = await api(system, 'POST', '/v1/users', { name: `sim${u}` });
      const events = [...liked.map((r) => ({ paperId: r.id, type: 'save' })), ...disliked.map((r) => ({ paperId: r.id, type: 'dismiss' }))];
      await api(system, 'POST', `/v1/users/${user.id}/events`, { events }, user.token);

      let started = performance.now();
      const feed = await api(system, 'GET', `/v1/users/${user.id}/feed?since=${holdoutStart}&limit=20`, undefined, user.token);
      latencies.push(performance.now() - started);
      const feedIds = feed.items.map((i: { paper: { id: string } }) => i.paper.id);

      // Baselines rank every held-out paper.
      const positives = liked.map((r) => tfidfOf.get(r.id)!);
      const c = centroid(positives, dim);
      const tfidfOrder = [...newerIds].sort((a, b) => sparseDot(tfidfOf.get(b)!, c) - sparseDot(tfidfOf.get(a)!, c));
      const likedIds = new Set(liked.map((r) => r.id));
      const negatives = pick(older.filter((r) => !likedIds.has(r.id)), 2000).map((r) => tfidfOf.get(r.id)!);
      const w = trainLinearSvm(positives, negatives, dim);
      const svmScore = (id: string) => sparseDot(tfidfOf.get(id)!, w);
      const svmOrder = [...newerIds].sort((a, b) => svmScore(b) - svmScore(a));
      const lists: Record<Method, string[]> = { feed: feedIds, recent: recentOrder, trending: trendingOrder, tfidf: tfidfOrder, svm: svmOrder };
      for (const m of methods) {
        scores[m].p.push(precisionAt(lists[m], relevant, 20));
        scores[m].ndcg.push(ndcgAt(lists[m], relevant, 20));
      }

      // Scholar Inbox protocol with the feed's own ranking functions.
      const interests = interestVectors(liked.map((r) => ({ paperId: r.id, vector: vectors.get(r.id)!, weight: eventWeight('save', now, now) })));
      const dismissed = disliked.map((r) => ({ paperId: r.id, vector: vectors.get(r.id)!, weight: 3 }));
      const outsiders = newer.filter((r) => !mine.has(primary(r)));
      for (const target of pick(newer.filter((r) => relevant.has(r.id)), 5)) {
        const pool = [target, ...pick(newer.filter((r) => r.id !== target.id), 100), ...pick(outsiders, 4)];
        const byRecord = new Map(pool.map((r) => [r.id, r]));
        const feedScores = new Map(
          scoreCandidates(
            pool.map((r) => ({ id: r.id, vector: vectors.get(r.id)!, publishedAt: new Date(`${r._listing_date}T00:00:00Z`), trendingScore: 0, categories: r.categories, authors: r.authors, text: '' })),
            { interests, dismissed, stated: { categories: [], keywords: [], authors: [], mutedKeywords: [] }, excluded: new Set() },
            now,
          ).map((s) => [s.id, s.score]),
        );
        const scorers: Record<Method, (id: string) => number> = {
          feed: (id) => feedScores.get(id) ?? -Infinity,
          recent: (id) => Date.parse(byRecord.get(id)!._listing_date!),
          trending: (id) => Date.parse(byRecord.get(id)!._listing_date!),
          tfidf: (id) => sparseDot(tfidfOf.get(id)!, c),
          svm: svmScore,
        };
        for (const m of methods) {
          const mine = scorers[m](target.id);
          const rank = 1 + pool.filter((r) => r.id !== target.id && scorers[m](r.id) >= mine).length; // ties count against
          scores[m].si.push(1 / Math.log2(rank + 1));
        }
      }

      // An event changes the very next feed: dismiss the top item and time until a feed lacks it.
      if (u < 50 && feedIds[0]) {
        started = performance.now();
        await api(system, 'POST', `/v1/users/${user.id}/events`, { events: [{ paperId: feedIds[0], type: 'dismiss' }] }, user.token);
        const after = await api(system, 'GET', `/v1/users/${user.id}/feed?since=${holdoutStart}&limit=20`, undefined, user.token);
        if (after.items.some((i: { paper: { id: string } }) => i.paper.id === feedIds[0])) throw new Error('a dismissed paper is still in the feed');
        eventToFeed.push(performance.now() - started);
      }
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    console.log(`\n${USERS} simulated users, glove-static-100d, held-out newest 25%`);
    console.log('method     P@20    NDCG@20  Scholar-Inbox NDCG');
    for (const m of methods) console.log(`${m.padEnd(9)}  ${mean(scores[m].p).toFixed(3)}   ${mean(scores[m].ndcg).toFixed(3)}    ${mean(scores[m].si).toFixed(3)}`);
    const best = (key: 'p' | 'ndcg' | 'si') => Math.max(...methods.filter((m) => m !== 'feed').map((m) => mean(scores[m][key])));
    console.log(`feed − best baseline: P@20 ${(mean(scores.feed.p) - best('p')).toFixed(3)}, NDCG@20 ${(mean(scores.feed.ndcg) - best('ndcg')).toFixed(3)}, SI NDCG ${(mean(scores.feed.si) - best('si')).toFixed(3)}`);
    console.log(`feed latency @1: p50 ${median(latencies).toFixed(1)} ms, p95 ${percentile(latencies, 95).toFixed(1)} ms (target ≤ 50)`);
    console.log(`event → feed that reflects it (POST + GET): p95 ${percentile(eventToFeed, 95).toFixed(1)} ms (target ≤ 1000)`);
  } finally {
    await system.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
