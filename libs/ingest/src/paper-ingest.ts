import { EntityManager } from 'typeorm';
import { EmbeddingKey, PapersStore } from '@paperfeed/db';
import { QueueService } from '@paperfeed/queue';
import { NormalizedPaper, ParsedRecord, titleKey } from '@paperfeed/sources';
import { combineRecords, dedupeRecords } from './dedupe';
import { queueEmbedding } from './embedding-queue';
import { normalizeRecord } from './normalize';
import { Rejection } from './pushed-paper';

/** A record given to PaperIngest.store: a paper from any source, or a record its parser rejected. */
export type IngestRecord = NormalizedPaper | ParsedRecord;

export interface IngestCounts {
  received: number;
  created: number;
  updated: number;
  /** Stored papers the records did not change, and records combined into another of the batch. */
  unchanged: number;
  rejected: number;
}

export interface IngestOutcome {
  counts: IngestCounts;
  /** Each rejected record: its position in the list given, its id if it had one, and why. */
  rejections: Rejection[];
  /** Papers whose text is new or changed: queue them (queueEmbedding) once the transaction commits. */
  needsEmbedding: EmbeddingKey[];
}

const isParsed = (record: IngestRecord): record is ParsedRecord => typeof (record as ParsedRecord).ok === 'boolean';

/**
 * The one path every paper takes into the papers table (see index.ts for the dedupe rule).
 * `store` runs inside the caller's transaction, so the caller writes its own progress (a batch's
 * result, a harvest's cursor) in the same transaction and a retry stores nothing twice;
 * `queueEmbedding` runs after it commits.
 */
export class PaperIngest {
  constructor(
    private readonly papers: PapersStore,
    private readonly queues: QueueService,
    /** The embedding model's key (EMBEDDING_MODEL@dtype) embed jobs are for. */
    private readonly modelKey: string,
  ) {}

  /** Normalise → validate → dedupe (in the list, then against stored papers) → upsert. */
  async store(records: IngestRecord[], manager: EntityManager): Promise<IngestOutcome> {
    const rejections: Rejection[] = [];
    const valid: NormalizedPaper[] = [];
    records.forEach((record, index) => {
      if (isParsed(record) && !record.ok) {
        rejections.push({ index, ...(record.id ? { id: record.id } : {}), reason: record.reason });
        return;
      }
      const paper = isParsed(record) ? record.paper : record;
      const normalized = normalizeRecord(paper);
      if (typeof normalized === 'string') {
        const id = typeof paper?.id === 'string' && paper.id.trim() ? paper.id.trim() : undefined;
        rejections.push({ index, ...(id ? { id } : {}), reason: normalized });
      } else valid.push(normalized);
    });
    const groups = dedupeRecords(valid);
    const matched = await this.papers.match(
      groups.map((group) => ({
        ids: group.ids,
        doi: group.paper.doi ?? null,
        titleKey: titleKey(group.paper.title),
        matchTitle: !group.hasArxivId,
      })),
      manager,
    );
    // A record matched by DOI or title takes the stored paper's id. Two groups can turn out to be
    // one stored paper (one by id, one by DOI): they are combined in arrival order.
    const byId = new Map<string, NormalizedPaper>();
    groups.forEach((group, n) => {
      const id = matched[n] ?? group.paper.id;
      const paper = { ...group.paper, id };
      const seen = byId.get(id);
      byId.set(id, seen ? combineRecords(seen, paper) : paper);
    });
    const papers = [...byId.values()];
    const outcome = await this.papers.upsert(papers, manager);
    // The lexical representation (similar papers) follows the text, in the same transaction.
    await this.papers.indexTerms(
      outcome.needsEmbedding.map((paper) => paper.id),
      manager,
    );
    return {
      counts: {
        received: records.length,
        created: outcome.created,
        updated: outcome.updated,
        unchanged: outcome.unchanged + (valid.length - papers.length),
        rejected: rejections.length,
      },
      rejections,
      needsEmbedding: outcome.needsEmbedding,
    };
  }

  /** Queues embed jobs for stored papers (idempotent: see queueEmbedding). */
  queueEmbedding(papers: EmbeddingKey[]): Promise<number> {
    return queueEmbedding(this.queues, this.modelKey, papers);
  }
}
