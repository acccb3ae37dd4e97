export * from './data-source';
export * from './entities';
export * from './papers.store';
export * from './embedding-spaces.store';
export * from './embedded/pglite-server';
export * from './database.module';
export * from './users.store';
export * from './upvotes.store';
