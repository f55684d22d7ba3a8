import { osloDbSection } from './oslo-db.js'

/** `[api_database]`: the API database (flavors, cell mappings, request specs…), oslo.db options. */
export const api_database = osloDbSection('the API database')
