// Runs the whole suite with node's test runner (Node 20 does not expand globs itself), then prints which
// backends each conformance suite ran on, and a closing "N passed, N failed, N skipped" line.
//   node scripts/run-tests.mjs [--only unit|test] [file-substring ...]
import { spawn } from 'node:child_process'
import { readdirSync, statSync } from 'node:fs'
import path from 'node:path'

const root = path.resolve(import.meta.dirname, '..')
const args = process.argv.slice(2)
const onlyIndex = args.indexOf('--only')
const only = onlyIndex >= 0 ? args[onlyIndex + 1] : undefined
const filters = onlyIndex < 0 ? args : args.filter((_, i) => i !== onlyIndex && i !== onlyIndex + 1)

function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules') continue
    const full = path.join(dir, name)
    if (statSync(full).isDirectory()) walk(full, out)
    else if (name.endsWith('.test.ts')) out.push(path.relative(root, full))
  }
  return out
}

const roots = only === 'unit' ? ['src'] : only === 'test' ? ['test'] : ['src', 'test']
const files = roots
  .flatMap((r) => walk(path.join(root, r)))
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort()
if (files.length === 0) {
  console.error('no test files matched')
  process.exit(1)
}

const child = spawn(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=2', ...files],
  { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NODE_NO_WARNINGS: '1' } },
)
let output = ''
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk)
  output += chunk.toString()
})
child.on('close', (code) => {
  // Conformance suites name their backend as "[suite:backend]" in the test title; skipped ones say "skipped".
  const ran = new Map()
  const skipped = new Map()
  for (const m of output.matchAll(/\[(\w[\w-]*):(\w+)\]([^\n]*)/g)) {
    const target = /# SKIP|skipped/i.test(m[3]) ? skipped : ran
    if (!target.has(m[1])) target.set(m[1], new Set())
    target.get(m[1]).add(m[2])
  }
  console.log('\nbackends per conformance suite:')
  for (const [suite, set] of ran) console.log(`  ${suite}: ran on ${[...set].join(', ')}`)
  for (const [suite, set] of skipped) console.log(`  ${suite}: SKIPPED ${[...set].join(', ')}`)
  const count = (label) => Number(new RegExp(`ℹ ${label} (\\d+)`).exec(output)?.[1] ?? 0)
  console.log(`${count('pass')} passed, ${count('fail')} failed, ${count('skipped')} skipped`)
  process.exit(code ?? 1)
})
