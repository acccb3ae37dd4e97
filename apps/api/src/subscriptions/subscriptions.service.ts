import { ForbiddenException, Injectable, NotFoundException, UnauthorizedException } from '@nestjs/common';
import { Request } from 'express';
import { SubscriptionsStore, UsersStore } from '@paperfeed/db';
import { QueueService } from '@paperfeed/queue';
import { CallerResolver } from '../common/caller';
import { Cadence, ConfirmedDto, SubscribeAcceptedDto, SubscribeDto, UnsubscribedDto } from './subscriptions.dto';

/** Email digests: double opt-in subscriptions, unsubscribing, sending a cadence's digests now. */
@Injectable()
export class SubscriptionsService {
  constructor(
    private readonly callers: CallerResolver,
    private readonly subscriptions: SubscriptionsStore,
    private readonly users: UsersStore,
    private readonly queues: QueueService,
  ) {}

  async subscribe(body: SubscribeDto, request: Request): Promise<SubscribeAcceptedDto> {
    if (body.userId) await this.assertMayUse(body.userId, request);
    const email = body.email.trim().toLowerCase();
    const subscription = await this.subscriptions.subscribe({
      email,
      cadence: body.cadence,
      userId: body.userId ?? null,
      query: body.query?.trim() || null,
      categories: [...new Set(body.categories ?? [])],
    });
    // Nobody learns from the answer whether an address is subscribed, and nobody can mail an
    // address more often than its limits allow.
    if (subscription.state === 'active') return { status: 'confirmation sent' };
    const record = await this.subscriptions.recordConfirmationMail(email);
    if (!record) return { status: 'confirmation sent' };
    try {
      await this.queues.enqueue('digest.confirm', { subscriptionId: subscription.id });
    } catch (error) {
      await this.subscriptions.forgetConfirmationMail(record);
      throw error;
    }
    return { status: 'confirmation sent' };
  }

  /** A digest of a user's feed shows what they read: only they (or the admin) may have it mailed. */
  private async assertMayUse(userId: string, request: Request): Promise<void> {
    const caller = await this.callers.of(request);
    if (caller.kind === 'anonymous') throw new UnauthorizedException("a digest of a user's feed needs that user's bearer token");
    if (caller.kind === 'invalid') throw new UnauthorizedException('the bearer token is not valid');
    if (caller.kind === 'user' && caller.userId !== userId) throw new ForbiddenException("another user's feed");
    if (!(await this.users.interests(userId))) throw new NotFoundException(`user ${userId} not found`);
  }

  async confirm(token: string): Promise<ConfirmedDto> {
    const subscription = await this.subscriptions.confirm(token);
    if (!subscription) throw new NotFoundException('unknown, used or expired confirmation token');
    return { subscribed: true, email: subscription.email, cadence: subscription.cadence };
  }

  async unsubscribe(token: string): Promise<UnsubscribedDto> {
    const subscription = await this.subscriptions.unsubscribe(token);
    if (!subscription) throw new NotFoundException('unknown or already used unsubscribe token');
    return { unsubscribed: true, email: subscription.email };
  }

  async runDigests(cadence: Cadence): Promise<{ jobId: string }> {
    return { jobId: await this.queues.enqueue('digest.run', { cadence }) };
  }
}
