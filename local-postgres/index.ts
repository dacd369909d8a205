/** A private PostgreSQL server for tests, benches and runs, and the CPU it uses. */
export {
  findPostgresBinaries,
  MIN_POSTGRES_MAJOR,
  type PostgresBinaries,
  PostgresUnavailable,
} from './binaries.js';
export { type LocalCluster, type LocalClusterOptions, startLocalCluster } from './cluster.js';
export { machineCpuSeconds, processTree, treeCpuSeconds, treeUsage } from './cpu.js';
export { createDatabase, databaseUrlOf, dropDatabase, runDatabaseName } from './database.js';
