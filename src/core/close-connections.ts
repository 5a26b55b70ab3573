/**
 * Closes what a process opens on first use besides its databases: cache connections (Redis,
 * Memcached; a write invalidating cache tags opens them) and task backends (a broker's
 * connection, after the outbox relay finishes). Open sockets keep Node running, so a command
 * or a test file that used them calls this when done, or its process never exits.
 */
export async function closeCachesAndTaskBackends(): Promise<void> {
  const [{ caches }, { taskBackends }] = await Promise.all([import('../cache/caches.ts'), import('../tasks/handler.ts')]);
  await Promise.all([caches.closeAll(), taskBackends.closeAll()]);
}
