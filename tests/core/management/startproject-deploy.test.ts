// The deployment files `startproject` writes: a Dockerfile, docker-compose.yml, deploy/nginx.conf
// and deploy/k8s/, each checked as the tool that reads it would (kubernetes-models for the
// manifests, nginx -t for the proxy), with the project's name put in, and every manage.ts command
// line in them accepted by the command. tests/core/servers/production-shape.test.ts runs nginx
// with these files in front of real `serve` processes.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { callCommand } from '../../../src/core/management/index.ts';
import { checkCommandLines, checkCompose, checkDockerfile, checkK8sWiring, checkNginx, validateK8s } from './deploy-artefacts.ts';

const BOOKSHOP_MANAGE = join(import.meta.dirname, '..', '..', '..', 'examples', 'bookshop', 'manage.ts');
const root = realpathSync(mkdtempSync(join(tmpdir(), 'nuages-startproject-deploy-')));
const project = join(root, 'my_site');
after(() => rmSync(root, { recursive: true, force: true }));

describe('the deployment files of a new project', () => {
  before(async () => {
    mkdirSync(project);
    await callCommand('startproject', 'my_site', project);
  });

  test('the Kubernetes manifests pass the Kubernetes schemas and fit together; names are DNS labels (my_site → my-site)', async () => {
    const manifests = await validateK8s(join(project, 'deploy', 'k8s'));
    assert.ok(manifests.has('Deployment/my-site-web'));
    assert.ok(manifests.has('Deployment/my-site-worker'));
    assert.ok(manifests.has('Job/my-site-migrate'));
    for (const kind of ['Service', 'Ingress', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'ConfigMap', 'Secret']) {
      assert.ok([...manifests.keys()].some((key) => key.startsWith(`${kind}/my-site`)), `a ${kind}`);
    }
    const { commands } = checkK8sWiring(manifests);
    await checkCommandLines(BOOKSHOP_MANAGE, commands, { DATABASE_URL: 'sqlite://:memory:' });
  });

  test('a manifest that breaks the schema is caught', async () => {
    const broken = join(root, 'broken-k8s');
    cpSync(join(project, 'deploy', 'k8s'), broken, { recursive: true });
    writeFileSync(join(broken, 'pdb.yaml'), readFileSync(join(broken, 'pdb.yaml'), 'utf8').replace('minAvailable: 1', 'minAvailable: [1]'));
    await assert.rejects(validateK8s(broken), /pdb\.yaml \(PodDisruptionBudget\) fails the Kubernetes schema/);
  });

  test('the Dockerfile builds production dependencies, runs as a non-root user with a health check, and serves', async () => {
    const { command, buildCommands } = checkDockerfile(join(project, 'Dockerfile'), project);
    assert.equal(command[0], 'serve');
    assert.deepEqual(buildCommands, [['collectstatic', '--noinput']]);
    await checkCommandLines(BOOKSHOP_MANAGE, [command, ...buildCommands], { DATABASE_URL: 'sqlite://:memory:' });
    assert.match(readFileSync(join(project, '.dockerignore'), 'utf8'), /^node_modules$/m);
  });

  test('docker-compose.yml runs migrations first, then the app, a worker, PgBouncer, PostgreSQL, Redis and nginx', async () => {
    const { commands } = checkCompose(join(project, 'docker-compose.yml'), join(project, 'Dockerfile'));
    await checkCommandLines(BOOKSHOP_MANAGE, commands, { DATABASE_URL: 'sqlite://:memory:' });
    const compose = parseYaml(readFileSync(join(project, 'docker-compose.yml'), 'utf8'), { merge: true });
    assert.equal(compose.name, 'my-site');
    assert.match(compose.services.web.environment.DATABASE_URL, /@pgbouncer:6432\/my_site\?disable_server_side_cursors=true$/);
    assert.match(compose.services.migrate.environment.DATABASE_URL, /@postgres:5432\/my_site$/);
  });

  test('deploy/nginx.conf passes nginx -t with its upstream file, and proxies to the upstream the compose file defines', async () => {
    await checkNginx(join(project, 'deploy', 'nginx.conf'), join(project, 'deploy', 'nginx-upstream.conf'));
    const site = readFileSync(join(project, 'deploy', 'nginx.conf'), 'utf8');
    assert.match(site, /proxy_pass http:\/\/my_site_app;/);
    assert.match(readFileSync(join(project, 'deploy', 'nginx-upstream.compose.conf'), 'utf8'), /upstream my_site_app \{\s*server web:8000/);
    assert.match(site, /alias \/srv\/my_site\/staticfiles\/;/);
  });
});
