/**
 * deploy/kubernetes/ as a cluster would take it, as far as this machine allows (no cluster
 * here): every object valid against the Kubernetes API schema, the objects wired to one another
 * (selectors, ports, volumes, ConfigMap, Secret), every pod with requests and limits, and every
 * command line and ECNY_* variable one that the CLI's own parser accepts, with the shard count
 * and the Service addresses agreeing across files.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { Job } from 'kubernetes-models/batch/v1';
import { ConfigMap, PersistentVolumeClaim, Service } from 'kubernetes-models/v1';
import { COMMANDS } from '../../cli/commands/index.js';
import { TOKEN_ENV } from '../../coordinator/index.js';
import { SCENARIOS } from '../../scenarios/catalog/index.js';
import {
  type Container,
  containerArgv,
  containerEnv,
  find,
  imageEntrypoint,
  MANIFESTS,
  type Manifest,
  type Resolution,
  readManifests,
} from '../fixtures/kubernetes.js';

const manifests = await readManifests();
const objects = manifests.filter((m) => m.kind !== 'Kustomization');
const entrypoint = await imageEntrypoint();

const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Service': Service,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim,
  'apps/v1/Deployment': Deployment,
  'apps/v1/StatefulSet': StatefulSet,
  'batch/v1/Job': Job,
};

/** Workloads with a pod template: [manifest, its containers (init first)]. */
function podsOf(list: readonly Manifest[]): Array<[Manifest, Container[]]> {
  return list
    .filter((m) => m.spec?.template !== undefined)
    .map((m) => {
      const spec = m.spec!.template!.spec;
      return [m, [...(spec.initContainers ?? []), ...spec.containers]];
    });
}

/** How a test resolves a container: the manifests' ConfigMaps, a token, volumes at their paths. */
function resolution(m: Manifest): Resolution {
  const configMaps: Record<string, Record<string, string>> = {};
  for (const c of objects.filter((o) => o.kind === 'ConfigMap'))
    configMaps[c.metadata.name] = { ...c.data };
  const volumes: Record<string, string> = {};
  for (const v of m.spec?.template?.spec.volumes ?? []) volumes[v.name] = `/volume/${v.name}`;
  return {
    configMaps,
    secrets: {
      'ecny-coordinator-token': { token: 'x'.repeat(64) },
      'ecny-postgres': { password: 'p'.repeat(48) },
    },
    volumes,
    injected: { JOB_COMPLETION_INDEX: '0' },
  };
}

/** The `ecny-bench` command line of a container: from its argv, or from its `sh -c` script. */
function cliArgs(m: Manifest, c: Container): string[] {
  const r = resolution(m);
  const env = containerEnv(c, r);
  const argv = containerArgv(c, entrypoint, env, r);
  if (argv[0] === 'ecny-bench') return argv.slice(1);
  assert.deepEqual(
    argv.slice(0, 2),
    ['sh', '-c'],
    `${m.metadata.name}/${c.name}: ecny-bench or sh -c`,
  );
  const words = argv[2]!
    .replace(/\$\(cat [^)]*\)/g, '')
    .split(/\s+/)
    .filter((w) => w !== '');
  const start = words.indexOf('ecny-bench');
  assert.ok(start >= 0, `${m.metadata.name}/${c.name} runs ecny-bench`);
  const end = words.findIndex((w, i) => i > start && /^[>|&;]/.test(w));
  return words
    .slice(start + 1, end < 0 ? undefined : end)
    .map((w) => w.replace(/^"\$(\w+)"$/, (_, name: string) => env[name] ?? w));
}

/** Runs the CLI's own parser on `args` (with --help, so nothing else runs): throws on a flag it refuses. */
async function cliAccepts(args: readonly string[]): Promise<void> {
  const command = COMMANDS.find((c) => c.name === args[0]);
  assert.ok(command, `no command ${args[0]}`);
  const log = console.log;
  console.log = () => {};
  try {
    assert.equal(await command.run([...args.slice(1), '--help']), 0);
  } finally {
    console.log = log;
  }
}

function flagValue(args: readonly string[], flag: string): string | undefined {
  const i = args.indexOf(flag);
  return i < 0 ? undefined : args[i + 1];
}

describe('the Kubernetes manifests', () => {
  it('kustomization lists every manifest file, and each object is valid against the Kubernetes schema', () => {
    const kustomization = manifests.find((m) => m.kind === 'Kustomization');
    assert.ok(kustomization);
    const files = [...new Set(objects.map((o) => o.file))].sort();
    assert.deepEqual(
      [...((kustomization as unknown as { resources: string[] }).resources ?? [])].sort(),
      files,
    );
    for (const o of objects) {
      const Model = MODELS[`${o.apiVersion}/${o.kind}`];
      assert.ok(
        Model,
        `${o.file}: ${o.apiVersion} ${o.kind} is not one of the kinds expected here`,
      );
      const { file: _file, ...object } = o;
      assert.doesNotThrow(
        () => new Model(object as never).validate(),
        `${o.file}: ${o.kind} ${o.metadata.name}`,
      );
    }
  });

  it('is wired together: selectors, ports, volumes, ConfigMap and Secret', () => {
    const pods = podsOf(objects);
    for (const svc of objects.filter((o) => o.kind === 'Service')) {
      const spec = svc.spec as {
        selector: Record<string, string>;
        ports: Array<{ targetPort: string }>;
      };
      const matching = pods.filter(([m]) =>
        Object.entries(spec.selector).every(
          ([k, v]) => m.spec!.template!.metadata?.labels?.[k] === v,
        ),
      );
      assert.equal(matching.length, 1, `Service ${svc.metadata.name} selects one workload`);
      const [, containers] = matching[0]!;
      for (const p of spec.ports)
        assert.ok(
          containers.some((c) => c.ports?.some((cp) => cp.name === p.targetPort)),
          `Service ${svc.metadata.name}: a container port named ${p.targetPort}`,
        );
    }
    const deployment = find(objects, 'Deployment', 'ecny-engine');
    const selector = (deployment.spec as { selector: { matchLabels: Record<string, string> } })
      .selector.matchLabels;
    for (const [k, v] of Object.entries(selector))
      assert.equal(deployment.spec!.template!.metadata?.labels?.[k], v);
    for (const [m, containers] of pods) {
      const volumes = m.spec!.template!.spec.volumes ?? [];
      for (const v of volumes)
        if (v.persistentVolumeClaim !== undefined)
          find(objects, 'PersistentVolumeClaim', v.persistentVolumeClaim.claimName);
      for (const c of containers) {
        const where = `${m.metadata.name}/${c.name}`;
        for (const mount of c.volumeMounts ?? [])
          assert.ok(
            volumes.some((v) => v.name === mount.name),
            `${where}: volume ${mount.name}`,
          );
        for (const from of c.envFrom ?? []) find(objects, 'ConfigMap', from.configMapRef!.name);
        for (const e of c.env ?? []) {
          const ref = e.valueFrom?.secretKeyRef;
          if (ref !== undefined) {
            assert.equal(e.name, TOKEN_ENV, `${where}: the only secret is the coordinator token`);
            assert.deepEqual(ref, { name: 'ecny-coordinator-token', key: 'token' });
          }
        }
        for (const kind of ['requests', 'limits'] as const)
          for (const resource of ['cpu', 'memory'])
            assert.ok(c.resources?.[kind]?.[resource], `${where}: ${kind}.${resource}`);
      }
    }
  });

  it('runs the Jobs as a coordinated run needs: no retries, shards an Indexed Job of the coordinator count', () => {
    const coordinator = find(objects, 'Job', 'ecny-coordinator');
    const generators = find(objects, 'Job', 'ecny-generators');
    for (const job of [coordinator, generators]) {
      assert.equal(job.spec!['backoffLimit'], 0, job.metadata.name);
      assert.equal(job.spec!.template!.spec.restartPolicy, 'Never', job.metadata.name);
    }
    assert.equal(generators.spec!['completionMode'], 'Indexed');
    const args = cliArgs(coordinator, coordinator.spec!.template!.spec.containers[0]!);
    const shards = Number(flagValue(args, '--shards'));
    assert.equal(generators.spec!['completions'], shards);
    assert.equal(generators.spec!['parallelism'], shards);
  });

  it("every command line and ECNY_* variable is one the CLI's parser accepts, and the addresses agree", async () => {
    const services = new Map(
      objects
        .filter((o) => o.kind === 'Service')
        .map((s) => [
          s.metadata.name,
          (s.spec as { ports: Array<{ port: number }> }).ports[0]!.port,
        ]),
    );
    const seen = new Set<string>();
    for (const [m, containers] of podsOf(objects))
      for (const c of containers) {
        const where = `${m.metadata.name}/${c.name}`;
        const args = cliArgs(m, c);
        seen.add(args[0]!);
        await cliAccepts(args);
        const env = containerEnv(c, resolution(m));
        for (const [name, value] of Object.entries(env)) {
          if (name === TOKEN_ENV || name === 'JOB_COMPLETION_INDEX' || !name.startsWith('ECNY_'))
            continue;
          const flag = name.slice(5).toLowerCase().replaceAll('_', '-');
          await cliAccepts([...args, `--${flag}=${value}`]).catch((error: Error) =>
            assert.fail(`${where}: ${name} is not a flag of ${args[0]}: ${error.message}`),
          );
        }
        const port = c.ports?.[0]?.containerPort;
        if (args[0] === 'serve' || args[0] === 'coordinate')
          assert.equal(
            Number(flagValue(args, '--port')),
            port,
            `${where}: listens where its container port is`,
          );
        if (args[0] === 'run' && flagValue(args, '--target') !== undefined) {
          assert.ok(SCENARIOS.has(args[1]!), `${where}: scenario ${args[1]}`);
          for (const [flag, service] of [
            ['--target', 'ecny-engine'],
            ['--coordinator', 'ecny-coordinator'],
          ] as const) {
            const url = new URL(flagValue(args, flag)!);
            assert.equal(url.hostname, service, `${where}: ${flag}`);
            assert.equal(Number(url.port), services.get(service), `${where}: ${flag} port`);
          }
          assert.equal(flagValue(args, '--shard'), 'auto');
        }
      }
    assert.deepEqual([...seen].sort(), ['coordinate', 'run', 'serve']);
  });
  it('the PostgreSQL overlay: a valid database, and the engine patched onto it with flags the CLI accepts', async () => {
    const overlay = await readManifests(join(MANIFESTS, 'postgres'));
    const kustomization = overlay.find((m) => m.kind === 'Kustomization') as unknown as {
      resources: string[];
      patches: Array<{ path: string }>;
    };
    assert.deepEqual(kustomization.resources, ['..', 'database.yaml']);
    assert.deepEqual(kustomization.patches, [{ path: 'engine-postgres.yaml' }]);
    const database = find(overlay, 'StatefulSet', 'ecny-postgres');
    const service = find(overlay, 'Service', 'ecny-postgres');
    for (const o of [database, service]) {
      const { file: _file, ...object } = o;
      const Model = MODELS[`${o.apiVersion}/${o.kind}`]!;
      assert.doesNotThrow(
        () => new Model(object as never).validate(),
        `${o.kind} ${o.metadata.name}`,
      );
    }
    const db = database.spec!.template!.spec.containers[0]!;
    for (const kind of ['requests', 'limits'] as const)
      for (const resource of ['cpu', 'memory'])
        assert.ok(db.resources?.[kind]?.[resource], `database ${kind}.${resource}`);
    const svc = service.spec as {
      selector: Record<string, string>;
      ports: Array<{ port: number; targetPort: string }>;
    };
    for (const [k, v] of Object.entries(svc.selector))
      assert.equal(database.spec!.template!.metadata?.labels?.[k], v);
    assert.ok(db.ports?.some((p) => p.name === svc.ports[0]!.targetPort));
    // The patch names the engine Deployment and container of the base, and its command runs.
    const patch = overlay.find((m) => m.file === 'engine-postgres.yaml')!;
    assert.equal(patch.kind, 'Deployment');
    const base = find(objects, 'Deployment', patch.metadata.name);
    const container = patch.spec!.template!.spec.containers[0]!;
    assert.ok(base.spec!.template!.spec.containers.some((c) => c.name === container.name));
    const args = cliArgs(patch, container);
    assert.equal(args[0], 'serve');
    await cliAccepts(args);
    assert.equal(flagValue(args, '--store'), 'postgres');
    const url = new URL(flagValue(args, '--database-url')!.replaceAll('"', ''));
    assert.equal(url.hostname, service.metadata.name);
    assert.equal(Number(url.port), svc.ports[0]!.port);
    assert.equal(url.pathname, `/${db.env!.find((e) => e.name === 'POSTGRES_DB')!.value}`);
    assert.equal(url.username, db.env!.find((e) => e.name === 'POSTGRES_USER')!.value);
    // Both read the password from the same Secret key.
    const secretOf = (c: Container) =>
      c.env?.find((e) => e.name === 'POSTGRES_PASSWORD')?.valueFrom?.secretKeyRef;
    assert.deepEqual(secretOf(container), secretOf(db));
    assert.ok(url.password.includes('POSTGRES_PASSWORD'));
  });
});
