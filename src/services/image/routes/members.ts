import type { FastifyInstance } from 'fastify'
import { Conflict, Forbidden, Invalid, NotFound } from '../../../common/errors/index.js'
import { callerOf, isAdmin, ownedImage, visibleImage } from '../access.js'
import type { ImageDeps } from '../image-deps.js'
import { memberView } from '../views.js'

/** Image sharing: the owner adds projects as members; each member accepts or rejects. */
export function registerMemberRoutes(app: FastifyInstance, deps: ImageDeps): void {
  const { images } = deps
  type P = { id: string; member: string }

  app.post('/v2/images/:id/members', async (request) => {
    const image = await ownedImage(images, (request.params as P).id, callerOf(request), 'share')
    if (image.visibility !== 'shared')
      throw new Forbidden(`Only shared images have members (this one is ${image.visibility}).`)
    const member = (request.body as { member?: unknown } | undefined)?.member
    if (typeof member !== 'string' || member === '')
      throw new Invalid('The body must be {"member": "<project id>"}.')
    if (!(await images.addMember(image.id, member)))
      throw new Conflict(`Member ${member} already exists for image ${image.id}.`)
    return memberView((await images.members(image.id)).find((m) => m.member === member)!)
  })
  app.get('/v2/images/:id/members', async (request) => {
    const caller = callerOf(request)
    const image = await visibleImage(images, (request.params as P).id, caller)
    if (image.visibility !== 'shared') throw new Forbidden(`Only shared images have members.`)
    const all = await images.members(image.id)
    const mine =
      isAdmin(caller) || image.owner === caller.projectId
        ? all
        : all.filter((m) => m.member === caller.projectId)
    return { members: mine.map(memberView), schema: '/v2/schemas/members' }
  })
  app.get('/v2/images/:id/members/:member', async (request) => {
    const caller = callerOf(request)
    const { id, member } = request.params as P
    const image = await visibleImage(images, id, caller)
    if (!isAdmin(caller) && image.owner !== caller.projectId && member !== caller.projectId)
      throw new NotFound(`Member ${member} not found.`)
    const found = (await images.members(image.id)).find((m) => m.member === member)
    if (found === undefined) throw new NotFound(`Member ${member} not found.`)
    return memberView(found)
  })
  app.put('/v2/images/:id/members/:member', async (request) => {
    const caller = callerOf(request)
    const { id, member } = request.params as P
    const image = await visibleImage(images, id, caller)
    if (member !== caller.projectId && !isAdmin(caller))
      throw new Forbidden('Only the member itself may accept or reject an image.')
    const status = (request.body as { status?: unknown } | undefined)?.status
    if (status !== 'pending' && status !== 'accepted' && status !== 'rejected')
      throw new Invalid('status must be pending, accepted or rejected')
    if (!(await images.setMemberStatus(image.id, member, status)))
      throw new NotFound(`Member ${member} not found.`)
    return memberView((await images.members(image.id)).find((m) => m.member === member)!)
  })
  app.delete('/v2/images/:id/members/:member', async (request, reply) => {
    const { id, member } = request.params as P
    const image = await ownedImage(images, id, callerOf(request), 'unshare')
    if (!(await images.removeMember(image.id, member))) throw new NotFound(`Member ${member} not found.`)
    return reply.status(204).send()
  })
}
