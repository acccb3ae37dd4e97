import { ExecutionContext, Inject, Injectable, Logger, Module, OnApplicationShutdown, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  ThrottlerGuard,
  ThrottlerModule,
  ThrottlerModuleOptions,
  ThrottlerStorage,
  ThrottlerStorageService,
} from '@nestjs/throttler';
import { ThrottlerStorageRecord } from '@nestjs/throttler/dist/throttler-storage-record.interface';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import { Request } from 'express';
import { Redis } from 'ioredis';
import { APP_CONFIG, AppConfig } from '@paperfeed/config';
import { redisOptions } from '@paperfeed/queue';
import { CallerResolver } from './caller';

const MINUTE_MS = 60_000;

/**
 * Counts in Redis, so every api replica shares one budget per caller. While Redis is down the
 * counts fall back to this process's memory: limits still hold per replica, and reads that need
 * no queue keep working.
 */
@Injectable()
export class SharedThrottlerStorage implements ThrottlerStorage, OnApplicationShutdown {
  private readonly logger = new Logger('RateLimit');
  private readonly redis: Redis;
  private readonly shared: ThrottlerStorageRedisService;
  private readonly local = new ThrottlerStorageService();
  private warned = false;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.redis = new Redis(redisOptions(config.redisUrl, 'producer'));
    this.redis.on('error', () => undefined); // a failing increment reports it
    this.shared = new ThrottlerStorageRedisService(this.redis);
  }

  async increment(key: string, ttl: number, limit: number, blockDuration: number, name: string): Promise<ThrottlerStorageRecord> {
    try {
      const record = await this.shared.increment(key, ttl, limit, blockDuration, name);
      this.warned = false;
      return record;
    } catch (error) {
      if (!this.warned) this.logger.warn(`Redis unavailable for rate limits, counting in this process: ${(error as Error).message}`);
      this.warned = true;
      return this.local.increment(key, ttl, limit, blockDuration, name);
    }
  }

  onApplicationShutdown(): void {
    this.redis.disconnect();
    this.local.onApplicationShutdown();
  }
}

@Module({ providers: [SharedThrottlerStorage], exports: [SharedThrottlerStorage] })
class RateLimitStorageModule {}

/** RATE_LIMIT_PER_MINUTE over one minute, counted in the shared storage; 0 turns limiting off. */
export const RateLimitModule = ThrottlerModule.forRootAsync({
  imports: [RateLimitStorageModule],
  inject: [APP_CONFIG, SharedThrottlerStorage],
  useFactory: (config: AppConfig, storage: SharedThrottlerStorage): ThrottlerModuleOptions => ({
    throttlers: config.rateLimitPerMinute > 0 ? [{ name: 'default', ttl: MINUTE_MS, limit: config.rateLimitPerMinute }] : [],
    storage,
  }),
});

/**
 * Limits every route per verified identity: a user token counts for its user (however many
 * processes or addresses it comes from), the admin token and health checks are exempt, and a
 * request without a token — or with a wrong one — counts against its IP. A wrong token is then
 * refused with 401, so inventing tokens buys no extra budget.
 */
@Injectable()
export class CallerThrottlerGuard extends ThrottlerGuard {
  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    reflector: Reflector,
    private readonly callers: CallerResolver,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super(options, storage, reflector);
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<Request>();
    if (request.path.startsWith('/health/')) return true;
    const caller = await this.callers.of(request);
    if (caller.kind !== 'admin') await super.canActivate(context);
    if (caller.kind === 'invalid') throw new UnauthorizedException('the bearer token is not valid');
    return true;
  }

  protected override async getTracker(request: Request): Promise<string> {
    const caller = await this.callers.of(request);
    return caller.kind === 'user' ? `user:${caller.userId}` : `ip:${await super.getTracker(request)}`;
  }

  /** One budget per caller across all routes (the library's default is one per route). */
  protected override generateKey(_context: ExecutionContext, tracker: string, name: string): string {
    return `${this.config.queuePrefix}:rate:${tracker}:${name}`;
  }
}
