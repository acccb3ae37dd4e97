import { Injectable, NotFoundException } from '@nestjs/common';
import { QueueName, QueueOverview, QUEUES, QueueService } from '@paperfeed/queue';

function queueName(name: string): QueueName {
  if (!(QUEUES as readonly string[]).includes(name)) throw new NotFoundException(`queue ${name} not found (queues: ${QUEUES.join(', ')})`);
  return name as QueueName;
}

/** The operators' view of the queues: overview, pause and resume, retrying dead letters. */
@Injectable()
export class AdminService {
  constructor(private readonly queues: QueueService) {}

  list(): Promise<QueueOverview[]> {
    return Promise.all(QUEUES.map((name) => this.queues.overview(name)));
  }

  async setPaused(name: string, paused: boolean): Promise<QueueOverview> {
    await this.queues.setPaused(queueName(name), paused);
    return this.queues.overview(queueName(name));
  }

  async retryFailed(name: string): Promise<QueueOverview & { retried: number }> {
    const retried = await this.queues.retryFailed(queueName(name));
    return { ...(await this.queues.overview(queueName(name))), retried };
  }
}
