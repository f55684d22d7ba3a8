import { launch } from '../process/launch.js'

await launch({
  binary: 'nova-conductor',
  daemons: ['nova-conductor'],
  description: 'nova-conductor: orchestration and the database proxy for computes',
  argv: process.argv.slice(2),
  allInOne: false,
})
