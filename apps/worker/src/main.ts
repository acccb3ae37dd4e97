import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { JsonLogger } from '@paperfeed/observability';
import { exitOnStartupError, loadConfig, withEmbeddedRuntime } from '@paperfeed/config';
import { WorkerModule } from './worker.module';

/** Every line the worker writes: JSON, with the id, queue and name of the job it belongs to. */
const logger = new JsonLogger('worker');

async function main(): Promise<void> {
  Logger.overrideLogger(logger);
  const config = withEmbeddedRuntime(loadConfig());
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { logger });
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
}

main().catch(exitOnStartupError);
