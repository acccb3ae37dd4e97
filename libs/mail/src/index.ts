export * from './mailer';
export * from './digest-mail';
export * from './period';
