export * from './normalized-paper';
export * from './records';
export * from './arxiv-atom';
export * from './oai-pmh';
export * from './hf-daily';
export * from './rss';
export * from './fetch';
export * from './requests';
