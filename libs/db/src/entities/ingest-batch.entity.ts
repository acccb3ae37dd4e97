import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A pushed batch waiting for (or done with) its ingest job. Queue payloads carry only the batch id;
 * the papers stay here, and `result` is written in the same transaction as the papers, so a
 * retried job returns the first run's counts instead of storing anything twice.
 */
@Entity({ name: 'ingest_batches' })
export class IngestBatchEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'jsonb' })
  papers!: unknown[];

  /** Papers of the batch whose text is new or changed (to embed), kept after `papers` is cleared. */
  @Column({ name: 'paper_ids', type: 'text', array: true, nullable: true })
  paperIds!: string[] | null;

  @Column({ type: 'jsonb', nullable: true })
  result!: Record<string, number> | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
