import { launch } from '../process/launch.js'

await launch({
  binary: 'nova-placement',
  daemons: ['nova-placement'],
  description:
    'nova-placement: the placement service (resource providers, inventories, allocations; port 8778)',
  argv: process.argv.slice(2),
  allInOne: false,
})
