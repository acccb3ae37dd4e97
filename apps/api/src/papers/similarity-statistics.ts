import { Injectable } from '@nestjs/common';
import { PapersStore, StoredRepresentation } from '@paperfeed/db';
import { calibrateCorpus, DfTable, dfTable, FusionCalibration, PaperRepresentation, weighTerms } from '@paperfeed/ranking';

/** df moves with every ingested page, but a minute-old table weighs terms all but the same (bench/RESULTS.md: drift). */
const DF_TTL_MS = 60_000;
/** The calibration (mean and spread over random pairs) moves even more slowly. */
const CALIBRATION_TTL_MS = 10 * 60_000;
/** Papers sampled for the calibration, and random pairs drawn among them (the recipe's 20,000). */
const CALIBRATION_PAPERS = 1000;
const CALIBRATION_PAIRS = 20_000;

/** A value loaded at most once per `ttlMs`; concurrent callers share the load. */
class Cached<T> {
  private entry?: { at: number; value: Promise<T> };
  constructor(
    private readonly ttlMs: number,
    private readonly load: () => Promise<T>,
  ) {}
  get(): Promise<T> {
    if (!this.entry || Date.now() - this.entry.at > this.ttlMs) {
      const value = this.load();
      this.entry = { at: Date.now(), value };
      value.catch(() => (this.entry = undefined)); // a failed load is not kept
    }
    return this.entry.value;
  }
}

/** The corpus statistics the fused `similar` scorer needs (issue 13), cached per api process. */
@Injectable()
export class SimilarityStatistics {
  private readonly df: Cached<DfTable>;
  private readonly calibrations = new Map<number, Cached<FusionCalibration>>();

  constructor(private readonly papers: PapersStore) {
    this.df = new Cached(DF_TTL_MS, async () => {
      const { docs, ids, dfs } = await this.papers.documentFrequencies();
      return dfTable(docs, ids, dfs);
    });
  }

  documentFrequencies(): Promise<DfTable> {
    return this.df.get();
  }

  /** The calibration of both similarities in the space, from a random sample of its papers. */
  calibration(spaceId: number): Promise<FusionCalibration> {
    let cached = this.calibrations.get(spaceId);
    if (!cached) {
      cached = new Cached(CALIBRATION_TTL_MS, async () => {
        const [sample, df] = await Promise.all([this.papers.representationSample(spaceId, CALIBRATION_PAPERS), this.documentFrequencies()]);
        // Two papers make one pair; fewer leave both similarities as they are.
        if (sample.length < 2) return { lexical: { mean: 0, std: 1 }, dense: { mean: 0, std: 1 } };
        const papers = sample.map((paper) => represent(paper, df));
        return calibrateCorpus(
          papers.map((p) => p.lexical),
          papers.map((p) => p.dense),
          CALIBRATION_PAIRS,
        );
      });
      this.calibrations.set(spaceId, cached);
    }
    return cached.get();
  }
}

/** A stored paper as the scorer sees it: weights from its counts and the current df. */
export function represent(paper: StoredRepresentation, df: DfTable): PaperRepresentation {
  return { lexical: weighTerms({ ids: Uint32Array.from(paper.terms.ids), counts: Float32Array.from(paper.terms.counts) }, df), dense: paper.vector };
}
