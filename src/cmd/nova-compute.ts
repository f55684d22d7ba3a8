import { launch } from '../process/launch.js'

await launch({
  binary: 'nova-compute',
  daemons: ['nova-compute'],
  description: 'nova-compute: runs instances on this host through a hypervisor driver',
  argv: process.argv.slice(2),
  allInOne: false,
})
