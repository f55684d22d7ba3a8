// `npm run bench -- <name…>`: runs the named benchmarks (all when none is named) and prints their tables.
// Benchmarks measure; tests never time anything.
const BENCHES: Readonly<Record<string, () => Promise<void>>> = {
  boot: async () => (await import('./boot.js')).benchBoot(),
  bus: async () => (await import('./bus.js')).benchBus(),
  db: async () => (await import('./db.js')).benchDb(),
  identity: async () => (await import('./identity.js')).benchIdentity(),
  image: async () => (await import('./image.js')).benchImage(),
  placement: async () => (await import('./placement.js')).benchPlacement(),
  qemu: async () => (await import('./qemu.js')).benchQemu(),
  scheduler: async () => (await import('./scheduler.js')).benchScheduler(),
}

const names = process.argv.slice(2)
const unknown = names.filter((n) => !(n in BENCHES))
if (unknown.length > 0) {
  process.stderr.write(`unknown benchmark ${unknown.join(', ')}; known: ${Object.keys(BENCHES).join(', ')}\n`)
  process.exit(2)
}
for (const name of names.length > 0 ? names : Object.keys(BENCHES)) {
  process.stdout.write(`\n## ${name}\n`)
  await BENCHES[name]!()
}
