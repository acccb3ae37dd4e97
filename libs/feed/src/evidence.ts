import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@paperfeed/config';
import { EmbeddingSpace, EmbeddingSpacesStore, EventsStore, PaperFeatures, PapersStore, UserInterests, UsersStore } from '@paperfeed/db';
import { modelKeyOf } from '@paperfeed/embeddings';
import { eventWeight } from '@paperfeed/ranking';

/** Events read per profile: recent behaviour is what the feed answers to. */
const EVENTS_READ = 500;
/** Papers of the user's named authors taken as evidence. */
const AUTHORED_PAPERS = 100;
/** Weight of a paper the user named (interests.papers) or wrote (interests.authors), as a save and an upvote. */
const NAMED_PAPER_WEIGHT = 3;
const AUTHORED_PAPER_WEIGHT = 2;

export interface UserEvidence {
  interests: UserInterests;
  /** The embedding space of the configured model (null before anything was embedded). */
  space: EmbeddingSpace | null;
  /** Each paper's summed, decayed event weight (negative: dismissed), plus named and authored papers. */
  weights: Map<string, number>;
  /** Categories and vectors of those papers. */
  features: Map<string, PaperFeatures>;
  /** Never shown again: what the user saved, upvoted or dismissed, and the papers they named. */
  excluded: Set<string>;
}

/**
 * What a user's events and stated interests say, read fresh on every call: the feed (api) and the
 * learned model (worker) start from the same evidence.
 */
@Injectable()
export class EvidenceReader {
  private readonly modelKey: string;
  private knownSpace: EmbeddingSpace | undefined;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly users: UsersStore,
    private readonly events: EventsStore,
    private readonly papers: PapersStore,
    private readonly spaces: EmbeddingSpacesStore,
  ) {
    this.modelKey = modelKeyOf({ model: config.embeddingModel, dtype: config.embeddingDtype });
  }

  /** The embedding space of the configured model; kept once it exists (it is never removed). */
  async space(): Promise<EmbeddingSpace | null> {
    this.knownSpace ??= (await this.spaces.find(this.modelKey)) ?? undefined;
    return this.knownSpace ?? null;
  }

  /** The user's evidence; `known` supplies features the caller already holds (the rest are read). */
  async read(userId: string, now: Date, known: (paperId: string) => PaperFeatures | undefined = () => undefined): Promise<UserEvidence> {
    const [interests, space, events] = await Promise.all([
      this.users.interests(userId),
      this.space(),
      this.events.recent(userId, EVENTS_READ),
    ]);
    if (!interests) throw new NotFoundException(`user ${userId} not found`);
    const weights = new Map<string, number>();
    const add = (paperId: string, weight: number) => weights.set(paperId, (weights.get(paperId) ?? 0) + weight);
    for (const event of events) add(event.paperId, eventWeight(event.type, event.at, now));
    for (const paperId of interests.papers) add(paperId, NAMED_PAPER_WEIGHT);
    const authored = await this.papers.byAuthors(interests.authors, {}, AUTHORED_PAPERS, null);
    for (const paper of authored) add(paper.id, AUTHORED_PAPER_WEIGHT);
    const excluded = new Set([...events.filter((e) => e.type !== 'view' && e.type !== 'click').map((e) => e.paperId), ...interests.papers]);
    const features = new Map<string, PaperFeatures>();
    for (const paperId of weights.keys()) {
      const feature = known(paperId);
      if (feature) features.set(paperId, feature);
    }
    const missing = [...weights.keys()].filter((paperId) => !features.has(paperId));
    for (const [paperId, feature] of await this.papers.features(space?.id ?? null, missing)) features.set(paperId, feature);
    return { interests, space, weights, features, excluded };
  }
}
