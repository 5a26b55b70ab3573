// The bookshop's deployment files (examples/bookshop: Dockerfile, docker-compose.yml, deploy/):
// the Kubernetes manifests against the Kubernetes schemas, the compose services and Dockerfile
// stages against each other, nginx -t on the proxy's configuration, and every manage.ts command
// line in them accepted by the command. tests/core/servers/production-shape.test.ts runs this
// nginx configuration in front of the bookshop's `serve` processes.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { checkCommandLines, checkCompose, checkDockerfile, checkK8sWiring, checkNginx, validateK8s } from '../core/management/deploy-artefacts.ts';

const REPO = join(import.meta.dirname, '..', '..');
const BOOKSHOP = join(REPO, 'examples', 'bookshop');
const MANAGE = join(BOOKSHOP, 'manage.ts');
const ENV = { DATABASE_URL: 'sqlite://:memory:' };

describe("the bookshop's deployment files", () => {
  test('the Kubernetes manifests pass the Kubernetes schemas and fit together; covers live on a shared volume', async () => {
    const manifests = await validateK8s(join(BOOKSHOP, 'deploy', 'k8s'));
    const { commands } = checkK8sWiring(manifests);
    await checkCommandLines(MANAGE, commands, ENV);
    const web = manifests.get('Deployment/bookshop-web')!;
    const claim = web['spec']['template']['spec']['volumes'].find((v: { persistentVolumeClaim?: unknown }) => v.persistentVolumeClaim);
    assert.ok(manifests.has(`PersistentVolumeClaim/${claim.persistentVolumeClaim.claimName}`));
    assert.equal(manifests.get('ConfigMap/bookshop-settings')!['data']['MEDIA_ROOT'], '/srv/bookshop/media');
  });

  test('the Dockerfile (built from the repository root) serves the bookshop as a non-root user', async () => {
    const { command, buildCommands } = checkDockerfile(join(BOOKSHOP, 'Dockerfile'), REPO);
    assert.equal(command[0], 'serve');
    assert.deepEqual(buildCommands, [['collectstatic', '--noinput']]);
    await checkCommandLines(MANAGE, [command, ...buildCommands], ENV);
  });

  test('docker-compose.yml: migrations and the demo catalogue first, then the app, a worker on Redis, PgBouncer, PostgreSQL and nginx', async () => {
    const { commands } = checkCompose(join(BOOKSHOP, 'docker-compose.yml'), join(BOOKSHOP, 'Dockerfile'));
    await checkCommandLines(MANAGE, commands, ENV);
    const compose = parseYaml(readFileSync(join(BOOKSHOP, 'docker-compose.yml'), 'utf8'), { merge: true });
    assert.match(compose.services.migrate.entrypoint.join(' '), /migrate --noinput && .*seed_demo/);
    assert.equal(compose.services.worker.environment.REDIS_URL, 'redis://redis:6379/1');
  });

  test('deploy/nginx.conf passes nginx -t with its upstream file', async () => {
    await checkNginx(join(BOOKSHOP, 'deploy', 'nginx.conf'), join(BOOKSHOP, 'deploy', 'nginx-upstream.conf'));
  });
});
