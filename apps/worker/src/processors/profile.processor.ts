import { Injectable } from '@nestjs/common';
import { PapersStore, UserProfilesStore } from '@paperfeed/db';
import { CorpusIndex, EvidenceReader, foldProfile } from '@paperfeed/feed';
import { HandlesJob, JobPayloads } from '@paperfeed/queue';
import { scoreCandidates, TrainingExample, trainLinearModel } from '@paperfeed/ranking';

/** Papers sampled as implicit negatives per model (arxiv-sanity-lite treats every unseen paper as one). */
const IMPLICIT_NEGATIVES = 200;
/** Candidates kept for the feed from a full ranking of the corpus window. */
const SHORTLIST = 500;

/**
 * Folds a user's accepted events (or changed interests) in the background: the trending scores of
 * the papers they touched, the user's learned model (libs/ranking/src/learned.ts) and the
 * shortlist of candidates a full ranking of the corpus window puts first. The feed does not wait
 * for this: it folds everything else from the events itself on each request.
 */
@Injectable()
export class ProfileProcessor {
  constructor(
    private readonly evidenceReader: EvidenceReader,
    private readonly corpus: CorpusIndex,
    private readonly papers: PapersStore,
    private readonly profiles: UserProfilesStore,
  ) {}

  @HandlesJob('profile.fold')
  async fold({ userId, throughEventId, paperIds }: JobPayloads['profile.fold']) {
    // Interactions count toward trending (libs/ranking/src/trending.ts).
    await this.papers.refreshTrending(paperIds);
    const space = await this.evidenceReader.space();
    if (!space) return { folded: false, reason: 'nothing is embedded yet' };
    const stored = await this.profiles.find(userId, space.id);
    if (stored && BigInt(stored.throughEventId) > BigInt(throughEventId)) return { folded: false, reason: 'a later fold has run' };

    const corpus = await this.corpus.current(space.id);
    const now = new Date();
    const evidence = await this.evidenceReader.read(userId, now, (paperId) => corpus.papers.get(paperId)?.candidate);
    const examples: TrainingExample[] = [];
    for (const [paperId, weight] of evidence.weights) {
      const features = evidence.features.get(paperId);
      if (features?.vector && weight !== 0)
        examples.push({ vector: features.vector, categories: features.categories, label: weight > 0 ? 1 : 0, weight: Math.abs(weight) });
    }
    const implicit = await this.papers.sampleFeatures(space.id, userId, IMPLICIT_NEGATIVES, [...evidence.weights.keys()]);
    // A paper never touched is weak evidence: a ninth of a fresh dismissal.
    for (const paper of implicit) examples.push({ vector: paper.vector, categories: paper.categories, label: 0, weight: 1 / 3 });
    const model = trainLinearModel(examples);
    const window = [...corpus.papers.values()].map((entry) => entry.candidate);
    const shortlist = scoreCandidates(window, foldProfile(evidence, model), now, SHORTLIST).map((item) => item.id);
    const positives = examples.filter((e) => e.label === 1).length;
    await this.profiles.save(userId, space.id, {
      model,
      shortlist,
      throughEventId,
      corpusThrough: corpus.through,
      positives,
      negatives: examples.length - positives,
    });
    return { folded: true, trained: model !== null, positives, negatives: examples.length - positives };
  }
}
