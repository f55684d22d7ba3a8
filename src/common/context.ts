import { AsyncLocalStorage } from 'node:async_hooks'
import { randomUUID } from 'node:crypto'

/**
 * Who is asking and on behalf of which request (oslo.context's RequestContext). It travels with every
 * RPC message and is bound to the async scope of the work done for it, so every log line carries the
 * request id without passing a logger around.
 */
export interface RequestContext {
  /** `req-<uuid>`, made by the first service the request reached. */
  readonly requestId: string
  /** The caller-supplied `X-OpenStack-Request-ID` of a request spanning several projects' services. */
  readonly globalRequestId?: string
  readonly userId?: string
  readonly projectId?: string
  readonly domainId?: string
  readonly roles: readonly string[]
  readonly isAdmin: boolean
  /** Carries only `[Redacted]` in logs: see logger.ts. */
  readonly authToken?: string
  readonly readOnlyDeleted?: 'no' | 'yes' | 'only'
}

export function newRequestId(): string {
  return `req-${randomUUID()}`
}

export function makeContext(fields: Partial<RequestContext> = {}): RequestContext {
  return {
    requestId: fields.requestId ?? newRequestId(),
    roles: fields.roles ?? [],
    isAdmin: fields.isAdmin ?? false,
    ...fields,
  }
}

/** The context the platform itself acts under (periodic tasks, heartbeats): admin, no user. */
export function adminContext(): RequestContext {
  return makeContext({ isAdmin: true, roles: ['admin'] })
}

/** A context as it travels over the bus: plain JSON with oslo.context's field names. */
export interface WireContext {
  readonly request_id: string
  readonly global_request_id?: string
  readonly user_id?: string
  readonly project_id?: string
  readonly domain_id?: string
  readonly roles: readonly string[]
  readonly is_admin: boolean
  readonly auth_token?: string
  readonly read_deleted?: 'no' | 'yes' | 'only'
}

export function contextToWire(ctx: RequestContext): WireContext {
  return {
    request_id: ctx.requestId,
    global_request_id: ctx.globalRequestId,
    user_id: ctx.userId,
    project_id: ctx.projectId,
    domain_id: ctx.domainId,
    roles: ctx.roles,
    is_admin: ctx.isAdmin,
    auth_token: ctx.authToken,
    read_deleted: ctx.readOnlyDeleted,
  }
}

export function contextFromWire(wire: Partial<WireContext> | undefined): RequestContext {
  const fields: { -readonly [K in keyof RequestContext]?: RequestContext[K] } = {
    requestId: typeof wire?.request_id === 'string' ? wire.request_id : newRequestId(),
    roles: Array.isArray(wire?.roles) ? wire.roles.filter((r): r is string => typeof r === 'string') : [],
    isAdmin: wire?.is_admin === true,
  }
  if (typeof wire?.global_request_id === 'string') fields.globalRequestId = wire.global_request_id
  if (typeof wire?.user_id === 'string') fields.userId = wire.user_id
  if (typeof wire?.project_id === 'string') fields.projectId = wire.project_id
  if (typeof wire?.domain_id === 'string') fields.domainId = wire.domain_id
  if (typeof wire?.auth_token === 'string') fields.authToken = wire.auth_token
  if (wire?.read_deleted === 'yes' || wire?.read_deleted === 'only' || wire?.read_deleted === 'no') {
    fields.readOnlyDeleted = wire.read_deleted
  }
  return fields as RequestContext
}

const storage = new AsyncLocalStorage<RequestContext>()

/** Runs `fn` with `ctx` as the current context of everything it awaits. */
export function runWithContext<T>(ctx: RequestContext, fn: () => T): T {
  return storage.run(ctx, fn)
}

export function currentContext(): RequestContext | undefined {
  return storage.getStore()
}
