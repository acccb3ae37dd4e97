import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsOptional, IsString, Length } from 'class-validator';
import { UsersStore } from '@paperfeed/db';
import { AdminOnly } from '../common/admin.guard';

class CreateUserDto {
  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  name?: string;
}

class CreatedUserDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ description: "the user's bearer token; shown only here" }) token!: string;
}

@ApiTags('users')
@Controller('v1/users')
export class UsersController {
  constructor(private readonly users: UsersStore) {}

  @Post()
  @HttpCode(201)
  @AdminOnly()
  @ApiOperation({ summary: 'Create a user; the response holds their token, which is never shown again' })
  @ApiCreatedResponse({ type: CreatedUserDto })
  create(@Body() body: CreateUserDto): Promise<CreatedUserDto> {
    return this.users.create(body.name ?? null);
  }
}
