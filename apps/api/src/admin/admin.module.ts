import { Module } from '@nestjs/common';
import { AdminController } from './admin.controller';
import { AdminService } from './admin.service';
import { MetricsService } from './metrics.service';

/** Operations: queue overview and control, Prometheus metrics (main.ts times requests with MetricsService). */
@Module({
  controllers: [AdminController],
  providers: [AdminService, MetricsService],
  exports: [MetricsService],
})
export class AdminModule {}
