// Checks shared by the project template's and the bookshop's deployment files: the Kubernetes
// manifests against the Kubernetes schemas (kubernetes-models) and against each other, the
// compose file's references, the Dockerfile's stages, and every manage.ts command line they hold
// against the command's real options. No cluster or Docker daemon runs here; nginx is checked by
// `nginx -t` in the tests that call checkNginx().
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments, parse as parseYaml } from 'yaml';

const run = promisify(execFile);
/** Debian's nginx, also when /usr/sbin is not on PATH. */
export const NGINX = existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : 'nginx';

type Doc = Record<string, any>;

/** The kubernetes-models class for a manifest's apiVersion and kind, e.g. apps/v1 Deployment. */
async function modelFor(apiVersion: string, kind: string): Promise<new (data: Doc) => { validate(): void }> {
  const module = await import(`kubernetes-models/${apiVersion}/${kind}`).catch(() => undefined);
  assert.ok(module?.[kind], `${apiVersion} ${kind} is not a Kubernetes kind kubernetes-models knows`);
  return module[kind];
}

/** Every manifest under `folder` (kustomization.yaml aside), parsed, with the file it came from. */
export function k8sManifests(folder: string): Array<{ file: string; doc: Doc }> {
  const out: Array<{ file: string; doc: Doc }> = [];
  for (const file of readdirSync(folder).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml').sort()) {
    for (const document of parseAllDocuments(readFileSync(join(folder, file), 'utf8'))) {
      assert.deepEqual(document.errors, [], `${file} is not valid YAML`);
      out.push({ file, doc: document.toJS() as Doc });
    }
  }
  return out;
}

/** Validates every manifest against its schema; returns them by kind and name. */
export async function validateK8s(folder: string): Promise<Map<string, Doc>> {
  const byKindName = new Map<string, Doc>();
  for (const { file, doc } of k8sManifests(folder)) {
    const Model = await modelFor(doc['apiVersion'], doc['kind']);
    assert.doesNotThrow(() => new Model(doc).validate(), `${file} (${doc['kind']}) fails the Kubernetes schema`);
    byKindName.set(`${doc['kind']}/${doc['metadata']['name']}`, doc);
  }
  const kustomization = parseYaml(readFileSync(join(folder, 'kustomization.yaml'), 'utf8')) as Doc;
  for (const resource of kustomization['resources'] as string[]) {
    // secret.yaml is the user's filled-in copy of secret.example.yaml, kept out of git.
    const present = resource === 'secret.yaml' ? 'secret.example.yaml' : resource;
    assert.ok(existsSync(join(folder, present)), `kustomization.yaml lists ${resource}, which is missing`);
  }
  return byKindName;
}

const matches = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.entries(selector).every(([key, value]) => labels[key] === value);

/** The web Deployment, Service, HPA and PDB agree with each other, and probe the health endpoints. */
export function checkK8sWiring(manifests: Map<string, Doc>): { commands: string[][] } {
  const all = [...manifests.values()];
  const of = (kind: string) => all.filter((d) => d['kind'] === kind);
  const names = (kind: string) => new Set(of(kind).map((d) => d['metadata']['name']));
  const commands: string[][] = [];
  const podSpecs = [
    ...of('Deployment').map((d) => ({ owner: d, spec: d['spec']['template'] })),
    ...of('Job').map((d) => ({ owner: d, spec: d['spec']['template'] })),
  ];
  for (const { owner, spec } of podSpecs) {
    if (owner['kind'] === 'Deployment') {
      assert.ok(matches(owner['spec']['selector']['matchLabels'], spec['metadata']['labels']), `${owner['metadata']['name']}: selector misses its pods`);
    }
    for (const container of spec['spec']['containers']) {
      commands.push(container['args']);
      for (const source of container['envFrom'] ?? []) {
        if (source['configMapRef']) assert.ok(names('ConfigMap').has(source['configMapRef']['name']), `${owner['metadata']['name']} reads a ConfigMap that is not defined`);
        if (source['secretRef']) assert.ok(names('Secret').has(source['secretRef']['name']), `${owner['metadata']['name']} reads a Secret that is not defined`);
      }
    }
  }
  const web = of('Deployment').find((d) => d['spec']['template']['spec']['containers'][0]['args'][0] === 'serve');
  assert.ok(web, 'a Deployment runs serve');
  const container = web['spec']['template']['spec']['containers'][0];
  const portNames = new Set((container['ports'] as Doc[]).map((p) => p['name']));
  assert.equal(container['readinessProbe']['httpGet']['path'], '/readyz');
  assert.equal(container['livenessProbe']['httpGet']['path'], '/healthz');
  assert.ok(portNames.has(container['readinessProbe']['httpGet']['port']), 'the readiness probe names a port the container has');
  assert.ok(container['lifecycle']['preStop'], 'the web pods drain before SIGTERM (preStop)');
  const preStopSleep = Number(container['lifecycle']['preStop']['exec']['command'].at(-1));
  const shutdown = Number(flagValue(container['args'], '--shutdown-timeout') ?? 30);
  assert.ok(web['spec']['template']['spec']['terminationGracePeriodSeconds'] > preStopSleep + shutdown, 'the grace period covers preStop and the drain');
  assert.equal(web['spec']['strategy']['rollingUpdate']['maxUnavailable'], 0, 'a rollout never lowers capacity');
  const webLabels = web['spec']['template']['metadata']['labels'];
  const [service] = of('Service');
  assert.ok(matches(service['spec']['selector'], webLabels), 'the Service selects the web pods');
  assert.ok(portNames.has(service['spec']['ports'][0]['targetPort']), 'the Service targets the web port');
  const [ingress] = of('Ingress');
  assert.equal(ingress['spec']['rules'][0]['http']['paths'][0]['backend']['service']['name'], service['metadata']['name']);
  const [hpa] = of('HorizontalPodAutoscaler');
  assert.equal(hpa['spec']['scaleTargetRef']['name'], web['metadata']['name']);
  const [pdb] = of('PodDisruptionBudget');
  assert.ok(matches(pdb['spec']['selector']['matchLabels'], webLabels), 'the PodDisruptionBudget covers the web pods');
  assert.ok(of('Job').some((job) => job['spec']['template']['spec']['containers'][0]['args'][0] === 'migrate'), 'a Job migrates');
  return { commands };
}

function flagValue(args: string[], flag: string): string | undefined {
  const at = args.indexOf(flag);
  return at === -1 ? undefined : args[at + 1];
}

/** The compose file's services depend on services it defines and build stages the Dockerfile has. */
export function checkCompose(file: string, dockerfile: string): { commands: string[][] } {
  const compose = parseYaml(readFileSync(file, 'utf8'), { merge: true }) as Doc;
  const services = compose['services'] as Record<string, Doc>;
  const stages = new Set([...readFileSync(dockerfile, 'utf8').matchAll(/^FROM \S+ AS (\S+)$/gm)].map((m) => m[1]));
  const commands: string[][] = [];
  for (const wanted of ['web', 'worker', 'migrate', 'postgres', 'pgbouncer', 'redis', 'nginx']) assert.ok(services[wanted], `compose defines ${wanted}`);
  for (const [name, service] of Object.entries(services)) {
    for (const dependency of Object.keys(service['depends_on'] ?? {})) assert.ok(services[dependency], `${name} depends on ${dependency}, which is not a service`);
    const target = service['build']?.['target'];
    if (target) assert.ok(stages.has(target), `${name} builds stage ${target}, which the Dockerfile lacks`);
    if (Array.isArray(service['command']) && service['command'].length > 0 && service['build']) commands.push(service['command']);
  }
  assert.equal(services['web']!['depends_on']['migrate']['condition'], 'service_completed_successfully', 'the app starts after the migrations');
  return { commands };
}

/** The Dockerfile's shape: production dependencies only, a non-root user, a health check, manage.ts as the entry point. */
export function checkDockerfile(file: string, context: string): { command: string[]; buildCommands: string[][] } {
  const text = readFileSync(file, 'utf8');
  assert.match(text, /npm ci --omit=dev/);
  const final = text.slice(text.lastIndexOf('\nFROM '));
  assert.match(final, /^USER (?!root)\w+$/m, 'the server does not run as root');
  assert.match(final, /^HEALTHCHECK [\s\S]*\/healthz/m);
  assert.match(final, /^ENTRYPOINT \["node", "[\w/]*manage\.ts"\]$/m);
  for (const [, source] of text.matchAll(/^COPY (?!--from)(?:--\S+ )*(\S+) /gm)) {
    if (source !== '.') assert.ok(existsSync(join(context, source!)), `COPY ${source}: no such file in the build context`);
  }
  const command = JSON.parse(/^CMD (\[.*\])$/m.exec(final)![1]!) as string[];
  // `RUN … node [path/]manage.ts collectstatic --noinput`: the commands run while building.
  const buildCommands = [...text.matchAll(/^RUN .*?\bmanage\.ts ([^&|;\n]+)$/gm)].map((m) => m[1]!.trim().split(/\s+/));
  return { command, buildCommands };
}

/**
 * Every `--option` of each command line is one `manage.ts <command> --help` lists: a flag the
 * server does not know would stop the container at start.
 */
export async function checkCommandLines(manage: string, commands: string[][], env: Record<string, string> = {}): Promise<void> {
  const helpOf = new Map<string, string>();
  for (const [command, ...args] of commands) {
    if (!helpOf.has(command!)) {
      const { stdout } = await run(process.execPath, [manage, command!, '--help'], { env: { ...process.env, ...env } });
      helpOf.set(command!, stdout);
    }
    for (const arg of args.filter((a) => a.startsWith('--'))) {
      assert.ok(helpOf.get(command!)!.includes(arg.split('=')[0]!), `manage.ts ${command} has no option ${arg}`);
    }
  }
}

/**
 * `nginx -t` on deploy/nginx.conf with its upstream file, in a throwaway prefix: the syntax, the
 * directives and the upstream resolve as nginx itself reads them.
 */
export async function checkNginx(site: string, upstream: string): Promise<void> {
  const prefix = mkdtempSync(join(tmpdir(), 'nuages-nginx-t-'));
  try {
    const main = join(prefix, 'nginx.conf');
    writeFileSync(
      main,
      `error_log ${prefix}/error.log; pid ${prefix}/nginx.pid;\nevents {}\n` +
        `http { include /etc/nginx/mime.types; access_log off; include ${upstream}; include ${site}; }\n`,
    );
    const { stderr } = await run(NGINX, ['-t', '-p', prefix, '-c', main]);
    assert.match(stderr, /test is successful/);
  } finally {
    rmSync(prefix, { recursive: true, force: true });
  }
}
