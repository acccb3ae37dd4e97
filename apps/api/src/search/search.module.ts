import { Module } from '@nestjs/common';
import { QueryEmbedder } from './query-embedder.service';
import { SearchController } from './search.controller';
import { SearchService } from './search.service';

/** Keyword, semantic and hybrid search; the api's own query embedder. */
@Module({
  controllers: [SearchController],
  providers: [SearchService, QueryEmbedder],
})
export class SearchModule {}
