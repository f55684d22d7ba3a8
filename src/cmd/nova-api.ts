import { launch } from '../process/launch.js'

await launch({
  binary: 'nova-api',
  daemons: ['nova-api'],
  description: 'nova-api: the OpenStack Compute API',
  argv: process.argv.slice(2),
  allInOne: false,
})
