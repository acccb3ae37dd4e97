/**
 * Issue #5 figures: the personalized feed against baselines, on the 12,000 real papers.
 * Simulated users: 1–3 primary categories each, 5–20 saves of older papers of those categories and
 * 2–4 dismissals of others; the newest 25% of papers (by listing date) are held out. A held-out
 * paper is relevant when its primary category is one of the user's.
 *  - precision@20 and NDCG@20 of the real feed endpoint (GET /v1/users/:id/feed?since=<hold-out start>),
 *    asked once the worker has trained the user's model, against most-recent, trending, TF-IDF
 *    centroid and arxiv-sanity-lite's per-user linear SVM (TF-IDF, C = 0.01) on the same papers;
 *  - the Scholar Inbox protocol: each held-out liked paper ranked among 100 random held-out papers
 *    and 4 disliked ones (held-out papers outside the user's categories), NDCG = 1/log2(rank + 1);
 *    the feed's side is scored by the functions the endpoint uses (foldProfile, scoreCandidates)
 *    with the model the worker stored;
 *  - an ablation scored by the same functions without categories (no category affinity, a model on
 *    the embedding alone), to show what the embedding contributes;
 *  - latency with 1,000 users of 50 events each: feed p50/p95 at 1 connection, req/s at 16;
 *    event → a feed that reflects it; event → the worker's retrained model.
 *
 *   npx ts-node --transpile-only -r tsconfig-paths/register bench/feed-quality.ts [users=200] [glove|minilm] [rounds=3]
 *
 * `glove` (glove-static-100d, real semantics) needs bench/.cache/search-glove (made by bench/search.ts);
 * `minilm` (random-weight MiniLM-shaped, the floor) needs bench/.cache/similar (made by bench/similar.ts).
 */
import autocannon from 'autocannon';
import * as path from 'node:path';
import { NO_INTERESTS } from '@paperfeed/db';
import { foldProfile } from '@paperfeed/feed';
import { eventWeight, FeedProfile, LinearModel, paperSignals, scoreCandidates, trainLinearModel, trendingScore } from '@paperfeed/ranking';
import { ArxivRecord, loadArxivPapers, SHARED_DIR } from '../tools/arxiv-data';
import { seededRandom } from '../tools/seeded-random';
import { api, databaseLabel, median, MINILM, percentile, ROOT, RunningSystem, startAllInOne } from './support';
import { buildTfidf, centroid, sparseDot, trainLinearSvm } from './tfidf';

const USERS = Number(process.argv[2] ?? 200);
const MODEL = process.argv[3] ?? 'glove';
const ROUNDS = Number(process.argv[4] ?? 3);
const LOAD_USERS = 1000;
const LOAD_EVENTS = 50;
const SPACES = {
  glove: {
    env: { EMBEDDING_MODEL: path.join(SHARED_DIR, 'models', 'glove-static-100d'), EMBEDDING_DTYPE: 'fp32' },
    cache: 'search-glove',
    makes: 'bench/search.ts',
  },
  minilm: { env: { EMBEDDING_MODEL: MINILM }, cache: 'similar', makes: 'bench/similar.ts' },
} as const;
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

/** Waits until the worker has stored a model for the user that read through their latest event. */
async function modelFolded(system: RunningSystem, userId: string): Promise<LinearModel | null> {
  for (let i = 0; i < 600; i++) {
    const { rows } = await system.db.query(
      `SELECT m.model, (SELECT max(id) FROM user_events e WHERE e.user_id = $1) <= m.through_event_id AS current FROM user_profiles m WHERE m.user_id = $1`,
      [userId],
    );
    if (rows[0]?.current) return rows[0].model;
    await new Promise((r) => setTimeout(r, 20));
  }
  return null;
}

async function main(): Promise<void> {
  console.log(`database: ${databaseLabel()}`);
  const space = SPACES[MODEL as keyof typeof SPACES];
  if (!space) throw new Error(`model: glove or minilm, not ${MODEL}`);
  const system = await startAllInOne(space.env, path.join(ROOT, 'bench', '.cache', space.cache));
  try {
    const records = loadArxivPapers(12_000).sort((a, b) =>
      a._listing_date! < b._listing_date! ? -1 : a._listing_date! > b._listing_date! ? 1 : a.id < b.id ? -1 : 1,
    );
    const { rows: vectorRows } = await system.db.query(`SELECT paper_id, embedding::text AS v FROM paper_embeddings`);
    if (vectorRows.length < records.length) throw new Error(`run ${space.makes} first: it indexes the papers`);
    const vectors = new Map<string, Float32Array>(
      vectorRows.map((r: { paper_id: string; v: string }) => [r.paper_id, Float32Array.from(JSON.parse(r.v))]),
    );
    await system.db.query(`DELETE FROM users`); // earlier runs' simulated users

    const split = Math.floor(records.length * 0.75);
    const older = records.slice(0, split);
    const newer = records.slice(split);
    const holdoutStart = `${newer[0]._listing_date}T00:00:00Z`;
    const primary = (r: ArxivRecord) => r.categories[0];
    const counts = (list: ArxivRecord[]) =>
      list.reduce((m, r) => m.set(primary(r), (m.get(primary(r)) ?? 0) + 1), new Map<string, number>());
    const olderCounts = counts(older);
    const newerCounts = counts(newer);
    const topics = [...olderCounts.keys()].filter((c) => olderCounts.get(c)! >= 40 && (newerCounts.get(c) ?? 0) >= 15);
    console.log(`${MODEL}; topics: ${topics.join(', ')}; older ${older.length}, held out ${newer.length} from ${holdoutStart}`);

    const texts = records.map((r) => `${r.title} ${r.summary}`);
    const tfidf = buildTfidf(texts);
    let dim = 0;
    for (const v of tfidf) for (const index of v.keys()) dim = Math.max(dim, index + 1);
    const tfidfOf = new Map(records.map((r, i) => [r.id, tfidf[i]]));
    const newerIds = newer.map((r) => r.id);
    const recentOrder = [...newer]
      .sort((a, b) => (a._listing_date! > b._listing_date! ? -1 : a._listing_date! < b._listing_date! ? 1 : a.id > b.id ? -1 : 1))
      .map((r) => r.id);
    const trendingOrder = [...newer]
      .map((r) => ({
        id: r.id,
        score: trendingScore(paperSignals({ publishedAt: new Date(`${r._listing_date}T00:00:00Z`), sourceUpvotes: 0 }, [])),
      }))
      .sort((a, b) => b.score - a.score || (a.id > b.id ? -1 : 1))
      .map((r) => r.id);
    // The worker draws implicit negatives from the most recent papers; the ablation does the same.
    const recentPool = recentOrder.slice(0, 2000).map((id) => records.find((r) => r.id === id)!);

    type Method = 'feed' | 'ablation' | 'recent' | 'trending' | 'tfidf' | 'svm';
    const methods: Method[] = ['feed', 'ablation', 'recent', 'trending', 'tfidf', 'svm'];
    const baselines: Method[] = ['recent', 'trending', 'tfidf', 'svm'];
    const scores = Object.fromEntries(methods.map((m) => [m, { p: [] as number[], ndcg: [] as number[], si: [] as number[] }])) as Record<
      Method,
      { p: number[]; ndcg: number[]; si: number[] }
    >;
    const foldTimes: number[] = [];
    const now = new Date(`${newer.at(-1)!._listing_date}T23:59:59Z`);
    const asCandidate = (r: ArxivRecord) => ({
      id: r.id,
      title: r.title,
      vector: vectors.get(r.id)!,
      publishedAt: new Date(`${r._listing_date}T00:00:00Z`),
      trendingScore: 0,
      categories: r.categories,
      authors: r.authors,
      text: '',
    });
    const scorer = (profile: FeedProfile, pool: ArxivRecord[]) => {
      const byId = new Map(scoreCandidates(pool.map(asCandidate), profile, now).map((s) => [s.id, s.score]));
      return (id: string) => byId.get(id) ?? -Infinity;
    };

    for (let u = 0; u < USERS; u++) {
      const mine = new Set(pick(topics, between(1, 3)));
      const liked = pick(
        older.filter((r) => mine.has(primary(r))),
        between(5, 20),
      );
      const disliked = pick(
        older.filter((r) => !mine.has(primary(r))),
        between(2, 4),
      );
      const relevant = new Set(newer.filter((r) => mine.has(primary(r))).map((r) => r.id));
      const user = await api(system, 'POST', '/v1/users', { name: `sim${u}` });
      const events = [...liked.map((r) => ({ paperId: r.id, type: 'save' })), ...disliked.map((r) => ({ paperId: r.id, type: 'dismiss' }))];
      const posted = performance.now();
      await api(system, 'POST', `/v1/users/${user.id}/events`, { events }, user.token);
      const model = await modelFolded(system, user.id);
      if (!model) throw new Error(`no model for ${user.id}`);
      foldTimes.push(performance.now() - posted);
      const feed = await api(system, 'GET', `/v1/users/${user.id}/feed?since=${holdoutStart}&limit=20`, undefined, user.token);
      const feedIds = feed.items.map((i: { paper: { id: string } }) => i.paper.id);

      // The feed's own profile (as the api folds it) with the stored model, and the ablation's.
      const weights = new Map([
        ...liked.map((r) => [r.id, eventWeight('save', now, now)] as const),
        ...disliked.map((r) => [r.id, eventWeight('dismiss', now, now)] as const),
      ]);
      const features = new Map(
        [...liked, ...disliked].map((r) => [r.id, { title: r.title, categories: r.categories, vector: vectors.get(r.id)! }]),
      );
      const evidence = { interests: NO_INTERESTS, space: null, weights, features, excluded: new Set<string>() };
      const profile = foldProfile(evidence, model);
      const withoutCategories = (r: ArxivRecord, label: 0 | 1, weight: number) => ({
        vector: vectors.get(r.id)!,
        categories: [],
        label,
        weight,
      });
      const likedIds = new Set(liked.map((r) => r.id));
      const ablation: FeedProfile = {
        ...foldProfile(evidence, null),
        categories: new Map(),
        model: trainLinearModel([
          ...liked.map((r) => withoutCategories(r, 1, 3)),
          ...disliked.map((r) => withoutCategories(r, 0, 3)),
          ...pick(
            recentPool.filter((r) => !likedIds.has(r.id)),
            200,
          ).map((r) => withoutCategories(r, 0, 1 / 3)),
        ]),
      };

      // Baselines rank every held-out paper; so does the ablation.
      const positives = liked.map((r) => tfidfOf.get(r.id)!);
      const c = centroid(positives, dim);
      const tfidfScore = (id: string) => sparseDot(tfidfOf.get(id)!, c);
      const negatives = pick(
        older.filter((r) => !likedIds.has(r.id)),
        2000,
      ).map((r) => tfidfOf.get(r.id)!);
      const w = trainLinearSvm(positives, negatives, dim);
      const svmScore = (id: string) => sparseDot(tfidfOf.get(id)!, w);
      const order = (score: (id: string) => number) => [...newerIds].sort((a, b) => score(b) - score(a));
      const lists: Record<Method, string[]> = {
        feed: feedIds,
        ablation: order(scorer(ablation, newer)),
        recent: recentOrder,
        trending: trendingOrder,
        tfidf: order(tfidfScore),
        svm: order(svmScore),
      };
      for (const m of methods) {
        scores[m].p.push(precisionAt(lists[m], relevant, 20));
        scores[m].ndcg.push(ndcgAt(lists[m], relevant, 20));
      }

      // Scholar Inbox protocol.
      const outsiders = newer.filter((r) => !mine.has(primary(r)));
      for (const target of pick(
        newer.filter((r) => relevant.has(r.id)),
        5,
      )) {
        const pool = [
          target,
          ...pick(
            newer.filter((r) => r.id !== target.id),
            100,
          ),
          ...pick(outsiders, 4),
        ];
        const byRecord = new Map(pool.map((r) => [r.id, r]));
        const dated = (id: string) => Date.parse(byRecord.get(id)!._listing_date!);
        const scorers: Record<Method, (id: string) => number> = {
          feed: scorer(profile, pool),
          ablation: scorer(ablation, pool),
          recent: dated,
          trending: dated,
          tfidf: tfidfScore,
          svm: svmScore,
        };
        for (const m of methods) {
          const mine = scorers[m](target.id);
          const rank = 1 + pool.filter((r) => r.id !== target.id && scorers[m](r.id) >= mine).length; // ties count against
          scores[m].si.push(1 / Math.log2(rank + 1));
        }
      }
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    console.log(`\n${USERS} simulated users, ${MODEL}, held-out newest 25%`);
    console.log('method     P@20    NDCG@20  Scholar-Inbox NDCG');
    for (const m of methods)
      console.log(
        `${m.padEnd(9)}  ${mean(scores[m].p).toFixed(3)}   ${mean(scores[m].ndcg).toFixed(3)}    ${mean(scores[m].si).toFixed(3)}`,
      );
    const margin = (m: Method, key: 'p' | 'ndcg' | 'si') =>
      (mean(scores[m][key]) - Math.max(...baselines.map((b) => mean(scores[b][key])))).toFixed(3);
    for (const m of ['feed', 'ablation'] as const) {
      console.log(`${m} − best baseline: P@20 ${margin(m, 'p')}, NDCG@20 ${margin(m, 'ndcg')}, SI NDCG ${margin(m, 'si')}`);
    }
    console.log(
      `event → retrained model stored by the worker: p50 ${median(foldTimes).toFixed(0)} ms, p95 ${percentile(foldTimes, 95).toFixed(0)} ms`,
    );

    await latency(system, older);
  } finally {
    await system.stop();
  }
}

/** Feed latency with LOAD_USERS users of LOAD_EVENTS events each (the simulated users count toward them). */
async function latency(system: RunningSystem, papers: ArxivRecord[]): Promise<void> {
  const { rows: existing } = await system.db.query(`SELECT count(*)::int AS n FROM users`);
  for (let u = existing[0].n; u < LOAD_USERS; u++) {
    const user = await api(system, 'POST', '/v1/users', { name: `load${u}` });
    const types = ['view', 'view', 'click', 'click', 'save', 'upvote', 'dismiss'];
    const events = pick(papers, LOAD_EVENTS).map((r) => ({ paperId: r.id, type: types[Math.floor(next() * types.length)] }));
    await api(system, 'POST', `/v1/users/${user.id}/events`, { events }, user.token);
  }
  // Reads go out with the admin token, which reaches every user (user tokens are stored hashed).
  const { rows: users } = await system.db.query(`SELECT id FROM users ORDER BY id`);
  // Let the worker finish folding before measuring reads.
  for (let i = 0; i < 3000; i++) {
    const counts = await api(system, 'GET', '/v1/admin/queues');
    const profile = counts.find((q: { name: string }) => q.name === 'profile').counts;
    if (profile.waiting + profile.active + profile.delayed === 0) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const p95s: number[] = [];
  const p50s: number[] = [];
  const rates: number[] = [];
  const reflect: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const sample: { id: string }[] = pick(users, 200);
    const times: number[] = [];
    for (const user of sample) {
      const started = performance.now();
      await api(system, 'GET', `/v1/users/${user.id}/feed?limit=20`);
      times.push(performance.now() - started);
    }
    p50s.push(median(times));
    p95s.push(percentile(times, 95));
    let i = 0;
    const result = await autocannon({
      url: system.url,
      connections: 16,
      duration: 10,
      requests: [
        {
          method: 'GET',
          setupRequest: (req) => ({
            ...req,
            path: `/v1/users/${sample[i++ % sample.length].id}/feed?limit=20`,
            headers: { ...req.headers, authorization: `Bearer ${system.token}` },
          }),
        },
      ],
    });
    if (result.errors + result.non2xx > 0) throw new Error(`feed under load: ${result.errors} errors, ${result.non2xx} non-2xx`);
    rates.push(result.requests.average);
    // An event changes the very next feed: dismiss the top item and time until a feed lacks it.
    for (const user of sample.slice(0, 30)) {
      const before = await api(system, 'GET', `/v1/users/${user.id}/feed?limit=20`);
      const top = before.items[0]?.paper.id;
      if (!top) continue;
      const started = performance.now();
      await api(system, 'POST', `/v1/users/${user.id}/events`, { events: [{ paperId: top, type: 'dismiss' }] });
      const after = await api(system, 'GET', `/v1/users/${user.id}/feed?limit=20`);
      if (after.items.some((item: { paper: { id: string } }) => item.paper.id === top))
        throw new Error('a dismissed paper is still in the feed');
      reflect.push(performance.now() - started);
    }
    console.log(
      `round ${round + 1}: feed @1 p50 ${median(times).toFixed(1)} ms, p95 ${percentile(times, 95).toFixed(1)} ms; @16 ${result.requests.average.toFixed(0)} req/s; event → feed p95 ${percentile(reflect, 95).toFixed(1)} ms`,
    );
  }
  console.log(
    `\n${LOAD_USERS} users × ${LOAD_EVENTS} events: feed @1 p50 ${median(p50s).toFixed(1)} ms, p95 ${median(p95s).toFixed(1)} ms (target ≤ 50); @16 ${median(rates).toFixed(0)} req/s (target ≥ 200)`,
  );
  console.log(`event → feed that reflects it (POST + GET): p95 ${percentile(reflect, 95).toFixed(1)} ms (target ≤ 1000)`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
