import { Global, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@paperfeed/config';
import { QueueService } from './queue.service';

@Injectable()
class QueueCloser implements OnApplicationShutdown {
  constructor(@Inject(QueueService) private readonly queues: QueueService) {}

  async onApplicationShutdown(): Promise<void> {
    await this.queues.close();
  }
}

/** Provides the QueueService (producer side) to the api and the workers. */
@Global()
@Module({
  providers: [
    {
      provide: QueueService,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => new QueueService(config.redisUrl, config.queuePrefix),
    },
    QueueCloser,
  ],
  exports: [QueueService],
})
export class QueueModule {}
