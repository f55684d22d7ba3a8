import { launch } from '../process/launch.js'

await launch({
  binary: 'nova-image',
  daemons: ['nova-image'],
  description: 'nova-image: the image service (Glance v2 API) with its file store',
  argv: process.argv.slice(2),
  allInOne: false,
})
