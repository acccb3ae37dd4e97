import { ConfigError, loadConfig } from './config';

describe('loadConfig', () => {
  it('gives the contract defaults for an empty environment', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(config.databaseUrl).toBeUndefined();
    expect(config.embeddingModel).toBe('Xenova/all-MiniLM-L6-v2');
    expect(config.embeddingDtype).toBe('q8');
    expect(config.allowRemoteModels).toBe(true);
    expect(config.arxivMinIntervalMs).toBe(3000);
    expect(config.rateLimitPerMinute).toBe(600);
    expect(config.sourceHosts).toEqual(['rss.arxiv.org', 'export.arxiv.org', 'arxiv.org']);
    expect(config.modelCacheDir.endsWith('/data/models')).toBe(true);
    // The api listens on loopback unless told otherwise (the container image sets HOST=0.0.0.0).
    expect(config.host).toBe('127.0.0.1');
    expect(loadConfig({ HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
  });

  it.each([
    ['PORT', 'abc', /^Invalid configuration: PORT must be a whole number, got "abc"$/],
    ['PORT', '70000', /PORT must be between 0 and 65535/],
    ['REDIS_URL', 'localhost:6379', /REDIS_URL must (be a URL|use redis: or rediss:)/],
    ['DATABASE_URL', 'mysql://x@y/z', /DATABASE_URL must use postgres: or postgresql:/],
    ['ALLOW_REMOTE_MODELS', 'maybe', /ALLOW_REMOTE_MODELS must be true or false/],
    ['EMBEDDING_DTYPE', 'q3', /EMBEDDING_DTYPE must be one of/],
    ['ADMIN_TOKEN', 'short', /ADMIN_TOKEN must be at least 16 characters/],
    ['WORKER_CONCURRENCY', '0', /WORKER_CONCURRENCY must be between 1/],
    ['SOURCE_HOSTS', 'arxiv.org,http://evil', /SOURCE_HOSTS must be comma-separated host names/],
    ['RECONCILE_EVERY', 'soon', /RECONCILE_EVERY must be a duration/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL must be one of/],
    ['METRICS_PORT', 'ninety', /METRICS_PORT must be a whole number/],
    ['HOST', 'http://0.0.0.0', /HOST must be an IP address or a host name/],
  ])('rejects %s=%s naming the variable', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });

  it('parses durations, booleans and lists', () => {
    const config = loadConfig({ RECONCILE_EVERY: '2m', ALLOW_REMOTE_MODELS: 'false', WORKER_QUEUES: 'ingest, embed' });
    expect(config.reconcileEveryMs).toBe(120_000);
    expect(config.allowRemoteModels).toBe(false);
    expect(config.workerQueues).toEqual(['ingest', 'embed']);
  });

  it('puts the model cache under DATA_DIR unless told otherwise', () => {
    expect(loadConfig({ DATA_DIR: '/srv/pf' }).modelCacheDir).toBe('/srv/pf/models');
    expect(loadConfig({ DATA_DIR: '/srv/pf', MODEL_CACHE_DIR: '/cache' }).modelCacheDir).toBe('/cache');
  });
});
