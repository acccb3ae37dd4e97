export * from './job-stats';
