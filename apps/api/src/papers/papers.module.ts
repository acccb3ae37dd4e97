import { Module } from '@nestjs/common';
import { AtomController } from './atom.controller';
import { PapersController } from './papers.controller';
import { PapersAtomService } from './papers-atom.service';
import { PapersService } from './papers.service';
import { UpvotesController } from './upvotes.controller';
import { UpvotesService } from './upvotes.service';

/** Papers: lists, one paper, similar papers, the public Atom feed, upvotes. */
@Module({
  controllers: [AtomController, PapersController, UpvotesController],
  providers: [PapersService, PapersAtomService, UpvotesService],
})
export class PapersModule {}
