import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { randomBytes } from 'node:crypto';
import { Server, STATUS_CODES } from 'node:http';
import { Duplex } from 'node:stream';
import { errorBody } from './common/errors.filter';
import { AppConfig, exitOnStartupError, loadConfig, requireAdminToken, withEmbeddedRuntime } from '@paperfeed/config';
import { ApiModule } from './api.module';
import { jsonBody } from './common/body-parsers';
import { migrate } from '@paperfeed/db';
import { MetricsService } from './admin/metrics.service';
import { adminAuth, BULL_BOARD_PATH, bullBoard, httpMetrics } from './admin/operator-middleware';
import helmet from 'helmet';
import { requestContext } from './common/request-context';
import { JsonLogger } from '@paperfeed/observability';
import { QueueService } from '@paperfeed/queue';

/** Outside production an api started without ADMIN_TOKEN makes one up for this run and says so. */
function adminTokenFor(config: AppConfig): string {
  if (config.adminToken || config.nodeEnv === 'production') return requireAdminToken(config);
  const token = randomBytes(24).toString('base64url');
  new Logger('Auth').warn(`ADMIN_TOKEN is not set: using ${token} for this run only`);
  return token;
}

/**
 * Requests Node's HTTP parser refuses (a URL or headers over its size limit, broken framing) never
 * reach Nest; answer them in the contract's error format too.
 */
function answerParserErrors(server: Server): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (!socket.writable) return socket.destroy();
    const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
    const body = JSON.stringify(errorBody(status, status === 431 ? 'the request line or headers are too large' : 'malformed HTTP request'));
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}

/** Every line the api writes: JSON, with the request id of the request it belongs to. */
const logger = new JsonLogger('api');

export async function createApi(config: AppConfig, adminToken: string): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(ApiModule.forRoot(config, adminToken), { bodyParser: false, logger });
  app.use(requestContext(logger));
  // Security headers (nosniff, frame denial, no referrer, a strict Content-Security-Policy).
  app.use(helmet({ referrerPolicy: { policy: 'no-referrer' }, frameguard: { action: 'deny' } }));
  app.use(httpMetrics(app.get(MetricsService)));
  app.use(BULL_BOARD_PATH, adminAuth(adminToken), bullBoard(app.get(QueueService)));
  // Pushed batches may be large (1000 papers of up to 20,000 characters); everything else is small.
  app.use('/v1/ingest/papers', jsonBody('32mb'));
  app.use(jsonBody('1mb'));
  app.disable('x-powered-by');
  answerParserErrors(app.getHttpServer());
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('paperfeed')
      .setDescription(
        'Research-paper feed: ingestion, similar papers, search, personalized feeds. Errors are { statusCode, error, message }.',
      )
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  return app;
}

async function main(): Promise<void> {
  Logger.overrideLogger(logger);
  const config = withEmbeddedRuntime(loadConfig());
  const adminToken = adminTokenFor(config);
  await migrate(config.databaseUrl);
  const app = await createApi(config, adminToken);
  await app.listen(config.port, config.host);
  new Logger('Api').log(`listening on ${await app.getUrl()} (OpenAPI UI at /docs)`);
}

if (require.main === module) main().catch(exitOnStartupError);
