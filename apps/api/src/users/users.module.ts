import { Module } from '@nestjs/common';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';

/** Users: creation, the user's view, events, interests, feed-token rotation. */
@Module({
  controllers: [UsersController],
  providers: [UsersService],
})
export class UsersModule {}
