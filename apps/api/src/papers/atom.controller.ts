import { Controller, Get, Header, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAtomResponse, ApiCallerErrors, ApiDatabaseErrors, ApiValidationErrors } from '../common/api-docs';
import { PapersAtomService } from './papers-atom.service';
import { PapersAtomQuery } from './papers-query.dto';

@ApiTags('papers')
@Controller('v1')
@ApiDatabaseErrors()
@ApiCallerErrors()
export class AtomController {
  constructor(private readonly atom: PapersAtomService) {}

  @Get('papers.atom')
  @Header('Content-Type', 'application/atom+xml; charset=utf-8')
  @ApiOperation({ summary: 'Public paper lists as an Atom 1.0 feed (latest 50 entries), for feed readers' })
  @ApiAtomResponse('the latest 50 papers of the list')
  @ApiValidationErrors('names each invalid query parameter')
  papersAtom(@Query() query: PapersAtomQuery): Promise<string> {
    return this.atom.render(query);
  }
}
