// A local ESLint rule that enforces the folder boundaries of docs/ARCHITECTURE.md on resolved paths.
// Each import is resolved against the importing file, then checked against the zones below:
// a zone says which folders a folder may not import, and services reach each other only via client.ts.
import path from 'node:path'

const root = path.resolve(import.meta.dirname, '..')
const rel = (file) => path.relative(root, file).split(path.sep).join('/')
const under = (file, folder) => file === folder || file.startsWith(`${folder}/`) || file === `${folder}.ts`

/** A folder (relative to the repository) and the folders it must not import, with the reason. */
export const ZONES = [
  {
    folder: 'src/common',
    forbidden: [
      'src/config',
      'src/db',
      'src/bus',
      'src/service',
      'src/process',
      'src/cmd',
      'src/manage',
      'src/services',
    ],
    message: 'common/ is leaf code and imports nothing else in src/',
  },
  {
    folder: 'src/config',
    forbidden: ['src/db', 'src/bus', 'src/service', 'src/process', 'src/cmd', 'src/manage', 'src/services'],
    message: 'config/ imports only common/',
  },
  {
    folder: 'src/http',
    forbidden: [
      'src/config',
      'src/db',
      'src/bus',
      'src/service',
      'src/process',
      'src/cmd',
      'src/manage',
      'src/services',
    ],
    message: 'http/ is the shared HTTP frame and imports only common/',
  },
  {
    folder: 'src/policy',
    forbidden: [
      'src/config',
      'src/db',
      'src/bus',
      'src/http',
      'src/service',
      'src/process',
      'src/cmd',
      'src/manage',
      'src/services',
    ],
    message: 'policy/ is the rule engine and imports only common/',
  },
  {
    folder: 'src/metadata',
    forbidden: [
      'src/config',
      'src/db',
      'src/bus',
      'src/http',
      'src/policy',
      'src/service',
      'src/process',
      'src/cmd',
      'src/manage',
      'src/services',
    ],
    message: 'metadata/ builds instance metadata from data it is given and imports only common/',
  },
  {
    folder: 'src/db',
    forbidden: ['src/bus', 'src/service', 'src/process', 'src/cmd', 'src/manage', 'src/services'],
    message: 'db/ never imports the bus, services or launchers',
  },
  {
    folder: 'src/bus',
    forbidden: ['src/db', 'src/service', 'src/process', 'src/cmd', 'src/manage', 'src/services'],
    message: 'bus/ never imports the database, services or launchers',
  },
  {
    folder: 'src/service',
    forbidden: ['src/process', 'src/cmd', 'src/manage', 'src/services'],
    message: 'service/ is the frame that concrete services plug into',
  },
  {
    folder: 'src/services/compute',
    forbidden: ['src/db'],
    message: 'nova-compute reaches the database only through the conductor RPC client (nova N307)',
  },
  {
    folder: 'src/services',
    forbidden: ['src/process', 'src/cmd', 'src/manage'],
    message: 'services are composed by process/, never the other way round',
  },
  {
    folder: 'src/manage',
    forbidden: ['src/process', 'src/cmd', 'src/services'],
    // A service offers its own nova-manage commands in its manage.ts.
    allowed: /^src\/services\/[^/]+\/manage\.ts$/,
    message: 'nova-manage reaches a service only through that service’s manage.ts',
  },
  {
    folder: 'src/cmd',
    forbidden: ['src/services', 'src/db', 'src/bus', 'src/service'],
    message: 'cmd/ entry points only call process/ and manage/',
  },
]

function check(context, node) {
  const spec = node.source?.value
  if (typeof spec !== 'string' || !spec.startsWith('.')) return
  const from = rel(context.filename)
  const target = rel(path.resolve(path.dirname(context.filename), spec)).replace(/\.js$/, '.ts')
  for (const zone of ZONES) {
    if (!under(from, zone.folder)) continue
    if (zone.allowed?.test(target) === true) continue
    const hit = zone.forbidden.find((f) => under(target, f))
    if (hit !== undefined) {
      context.report({ node, message: `${zone.message} (${from} imports ${target})` })
      return
    }
  }
  // A service imports another service only through that service's client.ts.
  const fromService = /^src\/services\/([^/]+)\//.exec(from)?.[1]
  const toService = /^src\/services\/([^/]+)\/(.+)$/.exec(target)
  if (
    fromService !== undefined &&
    toService !== null &&
    toService[1] !== fromService &&
    toService[2] !== 'client.ts'
  ) {
    context.report({
      node,
      message: `import another service only through its client.ts (${from} imports ${target})`,
    })
  }
}

export const boundaries = {
  rules: {
    zones: {
      meta: { type: 'problem', schema: [] },
      create: (context) => ({
        ImportDeclaration: (node) => check(context, node),
        ExportNamedDeclaration: (node) => check(context, node),
        ExportAllDeclaration: (node) => check(context, node),
        ImportExpression: (node) => check(context, node),
      }),
    },
  },
}
