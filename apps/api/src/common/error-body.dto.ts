import { ApiProperty } from '@nestjs/swagger';

/** The body of every 4xx and 5xx answer (CONTRACT.md, "Conventions"); one schema in the OpenAPI document. */
export class ErrorBodyDto {
  @ApiProperty({ example: 404 }) statusCode!: number;
  @ApiProperty({ example: 'Not Found', description: 'the HTTP reason phrase of statusCode' }) error!: string;
  @ApiProperty({
    example: 'paper 2501.01234 not found',
    description: 'what went wrong; validation errors name each field ("papers.3.title: …")',
  })
  message!: string;
}
