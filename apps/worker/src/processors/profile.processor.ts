import { Injectable } from '@nestjs/common';
import { PapersStore, UserModelsStore } from '@paperfeed/db';
import { EvidenceReader } from '@paperfeed/feed';
import { HandlesJob, JobPayloads } from '@paperfeed/queue';
import { TrainingExample, trainLinearModel } from '@paperfeed/ranking';

/** Papers sampled as implicit negatives per model (arxiv-sanity-lite treats every unseen paper as one). */
const IMPLICIT_NEGATIVES = 200;

/**
 * Folds a user's accepted events in the background: the trending scores of the papers they
 * touched, and the user's learned model (libs/ranking/src/learned.ts). The feed does not wait for
 * this: it folds everything else from the events itself on each request.
 */
@Injectable()
export class ProfileProcessor {
  constructor(
    private readonly evidenceReader: EvidenceReader,
    private readonly papers: PapersStore,
    private readonly models: UserModelsStore,
  ) {}

  @HandlesJob('profile.fold')
  async fold({ userId, throughEventId, paperIds }: JobPayloads['profile.fold']) {
    // Interactions count toward trending (libs/ranking/src/trending.ts).
    await this.papers.refreshTrending(paperIds);
    const evidence = await this.evidenceReader.read(userId, new Date());
    if (!evidence.space) return { trained: false, reason: 'nothing is embedded yet' };
    const stored = await this.models.find(userId, evidence.space.id);
    if (stored && BigInt(stored.throughEventId) >= BigInt(throughEventId)) return { trained: false, reason: 'a later fold has run' };

    const examples: TrainingExample[] = [];
    for (const [paperId, weight] of evidence.weights) {
      const features = evidence.features.get(paperId);
      if (features?.vector && weight !== 0) examples.push({ vector: features.vector, categories: features.categories, label: weight > 0 ? 1 : 0, weight: Math.abs(weight) });
    }
    const implicit = await this.papers.sampleFeatures(evidence.space.id, userId, IMPLICIT_NEGATIVES, [...evidence.weights.keys()]);
    // A paper never touched is weak evidence: a ninth of a fresh dismissal.
    for (const paper of implicit) examples.push({ vector: paper.vector, categories: paper.categories, label: 0, weight: 1 / 3 });
    const model = trainLinearModel(examples);
    const positives = examples.filter((e) => e.label === 1).length;
    await this.models.save(userId, evidence.space.id, throughEventId, model && { model, positives, negatives: examples.length - positives });
    return { trained: model !== null, positives, negatives: examples.length - positives };
  }
}
