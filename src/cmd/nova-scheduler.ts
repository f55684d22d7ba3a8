import { launch } from '../process/launch.js'

await launch({
  binary: 'nova-scheduler',
  daemons: ['nova-scheduler'],
  description: 'nova-scheduler: picks hosts for instances',
  argv: process.argv.slice(2),
  allInOne: false,
})
