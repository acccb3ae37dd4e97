export * from './registry';
export * from './connection';
export * from './queue.service';
export * from './queue.module';
export * from './job-handler.decorator';
