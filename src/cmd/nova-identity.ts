import { launch } from '../process/launch.js'

await launch({
  binary: 'nova-identity',
  daemons: ['nova-identity'],
  description: 'nova-identity: the identity service (Keystone v3 API)',
  argv: process.argv.slice(2),
  allInOne: false,
})
