export * from './job-stats';
export * from './logger';
export * from './health';
