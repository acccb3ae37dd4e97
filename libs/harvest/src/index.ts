export * from './harvest.service';
