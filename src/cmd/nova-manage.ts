import { novaManage } from '../manage/nova-manage.js'

process.exitCode = await novaManage(process.argv.slice(2))
