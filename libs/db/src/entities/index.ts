import { IngestBatchEntity } from './ingest-batch.entity';
import { UserEntity } from './user.entity';

export { IngestBatchEntity, UserEntity };
/** The tables read through TypeORM repositories; every other table is read and written with SQL by its store. */
export const ENTITIES = [IngestBatchEntity, UserEntity];
