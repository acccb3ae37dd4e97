import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { SHARED_DIR } from '../tools/arxiv-data';
import { ROOT, startAllInOne } from './support';
async function main() {
  const env = { EMBEDDING_MODEL: path.join(SHARED_DIR, 'models', 'glove-static-100d'), EMBEDDING_DTYPE: 'fp32' };
  const dataDir = path.join(ROOT, 'bench', '.cache', 'search-glove');
  const system = await startAllInOne(env, dataDir);
  const api = spawn(process.execPath, ['--cpu-prof', '--cpu-prof-dir=/tmp/prof', path.join(ROOT, 'dist/apps/api/src/main.js')], { env: { ...process.env, ...env, PORT: '39999', DATA_DIR: dataDir, ADMIN_TOKEN: system.token, RATE_LIMIT_PER_MINUTE: '0', QUEUE_PREFIX: '{x}' }, stdio: 'inherit' });
  for (;;) { if (await fetch('http://127.0.0.1:39999/health/ready').then((r) => r.ok, () => false)) break; await new Promise((r) => setTimeout(r, 200)); }
  const { rows } = await system.db.query(`SELECT DISTINCT user_id FROM user_events LIMIT 100`);
  const times: number[] = [];
  for (let i = 0; i < 300; i++) {
    const s = performance.now();
    const r = await fetch(`http://127.0.0.1:39999/v1/users/${rows[i % rows.length].user_id}/feed?limit=20`, { headers: { authorization: `Bearer ${system.token}` } });
    await r.text();
    times.push(performance.now() - s);
  }
  times.sort((a, b) => a - b);
  console.log('p50', times[150].toFixed(1), 'p95', times[285].toFixed(1));
  await new Promise<void>((resolve) => { api.once('exit', () => resolve()); api.kill('SIGINT'); });
  await system.stop();
}
main();
