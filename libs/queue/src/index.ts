export * from './registry';
export * from './connection';
export * from './queue.service';
