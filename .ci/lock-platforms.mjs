// Completes package-lock.json with the other platforms' prebuilt-binary packages.
//
// Why: the registry this project installs from serves only the linux/glibc builds of
// @biomejs/cli-* and @napi-rs/canvas-*, so `npm install` leaves the other platforms out of
// the lock file, and `npm ci` then refuses the lock ("Missing: ... from lock file").
// npm needs only each package's name, version and os/cpu/libc to skip it on this machine;
// integrity is omitted because the registry cannot supply it (npm never fetches them here).
//
// Run after any dependency change: node .ci/lock-platforms.mjs && npm ci
import { readFileSync, writeFileSync } from 'node:fs';

const LOCK = new URL('../package-lock.json', import.meta.url);
const PLATFORMS = new Set(['android', 'darwin', 'freebsd', 'linux', 'win32']);

const lock = JSON.parse(readFileSync(LOCK, 'utf8'));
const packages = lock.packages;
const added = [];
for (const [key, entry] of Object.entries(packages)) {
  if (!key.startsWith('node_modules/') || !entry.optionalDependencies) continue;
  for (const [name, version] of Object.entries(entry.optionalDependencies)) {
    if (packages[`node_modules/${name}`]) continue;
    // Names end in <os>-<cpu>[-<abi>], e.g. canvas-linux-x64-musl, cli-win32-arm64.
    const parts = name.split('/').pop().split('-');
    const at = parts.findIndex((part) => PLATFORMS.has(part));
    if (at < 0 || at + 1 >= parts.length) throw new Error(`cannot read a platform from ${name}`);
    const os = parts[at];
    const cpu = parts[at + 1];
    const libc = os !== 'linux' ? undefined : parts.includes('musl') ? 'musl' : 'glibc';
    packages[`node_modules/${name}`] = {
      version,
      cpu: [cpu],
      ...(entry.dev ? { dev: true } : {}),
      ...(libc ? { libc: [libc] } : {}),
      optional: true,
      os: [os],
    };
    added.push(`${name}@${version} (${[os, cpu, libc].filter(Boolean).join('/')})`);
  }
}
const [root, ...rest] = Object.keys(packages);
lock.packages = Object.fromEntries([root, ...rest.sort()].map((key) => [key, packages[key]]));
writeFileSync(LOCK, `${JSON.stringify(lock, null, 2)}\n`);
console.log(added.length ? `added to the lock:\n  ${added.join('\n  ')}` : 'lock already complete');
