import { EmbeddingSpaceEntity } from './embedding-space.entity';
import { IngestBatchEntity } from './ingest-batch.entity';
import { PaperEmbeddingEntity } from './paper-embedding.entity';
import { PaperEntity } from './paper.entity';
import { UserEntity } from './user.entity';

export { EmbeddingSpaceEntity, IngestBatchEntity, PaperEmbeddingEntity, PaperEntity, UserEntity };
export const ENTITIES = [PaperEntity, EmbeddingSpaceEntity, PaperEmbeddingEntity, IngestBatchEntity, UserEntity];
