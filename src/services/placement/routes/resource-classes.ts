import type { FastifyInstance } from 'fastify'
import { badRequest, conflict, notFound } from '../errors.js'
import type { PlacementDeps } from '../placement-deps.js'
import { atLeast, bodyObject, onlyKeys, requireVersion, stringField } from '../request-helpers.js'
import { CUSTOM_NAME, STANDARD_CLASS_SET } from '../standard-classes.js'

const view = (name: string) => ({ name, links: [{ rel: 'self', href: `/resource_classes/${name}` }] })
const BAD_NAME = 'JSON does not validate: the name must start with CUSTOM_ and use only A-Z, 0-9 and _'

/** `/resource_classes[/{name}]` (1.2). */
export function registerResourceClassRoutes(app: FastifyInstance, deps: PlacementDeps): void {
  type P = { Params: { name: string } }
  app.get('/resource_classes', async (request) => {
    requireVersion(request, 2)
    return { resource_classes: (await deps.classes.list()).map(view) }
  })

  app.post('/resource_classes', async (request, reply) => {
    requireVersion(request, 2)
    const body = bodyObject(request)
    onlyKeys(body, ['name'])
    const name = stringField(body, 'name', { required: true, maxLength: 255 })!
    if (!CUSTOM_NAME.test(name)) throw badRequest(BAD_NAME)
    if (!(await deps.classes.create(name)))
      throw conflict(`Conflicting resource class already exists: ${name}`, 'placement.duplicate_name')
    return reply.status(201).header('location', `/resource_classes/${name}`).send()
  })

  app.get<P>('/resource_classes/:name', async (request) => {
    requireVersion(request, 2)
    if (!(await deps.classes.exists(request.params.name)))
      throw notFound(`No such resource class ${request.params.name}.`)
    return view(request.params.name)
  })

  app.put<P>('/resource_classes/:name', async (request, reply) => {
    requireVersion(request, 2)
    const name = request.params.name
    if (STANDARD_CLASS_SET.has(name)) throw badRequest(`Cannot update standard resource class ${name}`)
    if (atLeast(request, 7)) {
      if (!CUSTOM_NAME.test(name)) throw badRequest(BAD_NAME)
      const created = await deps.classes.create(name)
      return reply
        .status(created ? 201 : 204)
        .header('location', `/resource_classes/${name}`)
        .send()
    }
    const body = bodyObject(request)
    onlyKeys(body, ['name'])
    const to = stringField(body, 'name', { required: true, maxLength: 255 })!
    if (!CUSTOM_NAME.test(to)) throw badRequest(BAD_NAME)
    if (!(await deps.classes.exists(name))) throw notFound(`No such resource class ${name}.`)
    await deps.classes.rename(name, to)
    return view(to)
  })

  app.delete<P>('/resource_classes/:name', async (request, reply) => {
    requireVersion(request, 2)
    const name = request.params.name
    if (STANDARD_CLASS_SET.has(name)) throw badRequest(`Cannot delete standard resource class ${name}`)
    if (!(await deps.classes.delete(name))) throw notFound(`No such resource class ${name}.`)
    return reply.status(204).send()
  })
}
