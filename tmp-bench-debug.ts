import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configure, setup } from './src/conf/index.ts';
import { atomic } from './src/db/index.ts';
import { task, taskBackends, TaskOutboxEntry, type BullMQBackend } from './src/tasks/index.ts';
import { setupTestDatabase } from './src/test/index.ts';
const noop = task(async function noop(n: number) { return n; });
const dir = mkdtempSync(join(tmpdir(), 'dbg-'));
configure({ DEBUG: false, SECRET_KEY: 'x', INSTALLED_APPS: ['nuages/tasks'], DATABASES: { default: { ENGINE: 'sqlite', NAME: join(dir, 't.sqlite3') } },
  TASKS: { bullmq: { BACKEND: 'bullmq', QUEUES: [], OPTIONS: { PREFIX: 'dbg' + process.pid, MAX_ATTEMPTS: 1 } } } });
await setup(); await setupTestDatabase();
const backend = taskBackends.get('bullmq') as BullMQBackend;
let done = 0;
const runner = backend.createRunner({ concurrency: 16, onAttempt: () => { done++; } });
const running = runner.run();
const t = noop.using({ backend: 'bullmq' });
let next = 0;
const P = Number(process.env.P ?? 8);
await Promise.all(Array.from({ length: P }, async () => { while (next < 200) { const i = next++; await atomic(() => t.enqueue(i)); } }));
console.log('produced');
for (let k = 0; k < 10 && done < 200; k++) { await new Promise(r => setTimeout(r, 300)); console.log('done', done, 'unsent', await TaskOutboxEntry.objects.filter({ sentAt__isnull: true }).count(), 'jobs', await (await backend.queue('default')).getJobCounts()); }
runner.stop(); await running; await backend.obliterate(); await taskBackends.closeAll(); process.exit(0);
