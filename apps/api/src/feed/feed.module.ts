import { Module } from '@nestjs/common';
import { CorpusIndex, EvidenceReader, FeedRanker } from '@paperfeed/feed';
import { FeedController } from './feed.controller';
import { FeedService } from './feed.service';

/** The personalized feed (JSON pages and Atom) over the shared ranking of libs/feed. */
@Module({
  controllers: [FeedController],
  providers: [FeedService, FeedRanker, EvidenceReader, CorpusIndex],
})
export class FeedModule {}
