export * from './normalized-paper';
