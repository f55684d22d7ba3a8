// The JSON schemas Glance v2 publishes at /v2/schemas/*, which clients read to know the image attributes.

const IMAGE_PROPERTIES = {
  id: {
    type: 'string',
    description: 'An identifier for the image',
    pattern: '^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){12}$',
  },
  name: { type: ['null', 'string'], description: 'Descriptive name for the image', maxLength: 255 },
  status: {
    type: 'string',
    readOnly: true,
    enum: [
      'queued',
      'saving',
      'active',
      'killed',
      'deleted',
      'uploading',
      'importing',
      'pending_delete',
      'deactivated',
    ],
  },
  visibility: { type: 'string', enum: ['community', 'public', 'private', 'shared'] },
  protected: { type: 'boolean' },
  os_hidden: { type: 'boolean' },
  checksum: { type: ['null', 'string'], readOnly: true, maxLength: 32 },
  os_hash_algo: { type: ['null', 'string'], readOnly: true, maxLength: 64 },
  os_hash_value: { type: ['null', 'string'], readOnly: true, maxLength: 128 },
  owner: { type: ['null', 'string'], maxLength: 255 },
  size: { type: ['null', 'integer'], readOnly: true },
  virtual_size: { type: ['null', 'integer'], readOnly: true },
  container_format: {
    type: ['null', 'string'],
    enum: [null, 'ami', 'ari', 'aki', 'bare', 'ovf', 'ova', 'docker', 'compressed'],
  },
  disk_format: {
    type: ['null', 'string'],
    enum: [null, 'ami', 'ari', 'aki', 'vhd', 'vhdx', 'vmdk', 'raw', 'qcow2', 'vdi', 'iso', 'ploop'],
  },
  created_at: { type: 'string', readOnly: true },
  updated_at: { type: 'string', readOnly: true },
  tags: { type: 'array', items: { type: 'string', maxLength: 255 } },
  min_ram: { type: 'integer' },
  min_disk: { type: 'integer' },
  self: { type: 'string', readOnly: true },
  file: { type: 'string', readOnly: true },
  schema: { type: 'string', readOnly: true },
}

export function imageSchema() {
  return {
    name: 'image',
    properties: IMAGE_PROPERTIES,
    additionalProperties: { type: 'string' },
    links: [
      { rel: 'self', href: '{self}' },
      { rel: 'enclosure', href: '{file}' },
      { rel: 'describedby', href: '{schema}' },
    ],
  }
}

export function imagesSchema() {
  return {
    name: 'images',
    properties: {
      images: { type: 'array', items: imageSchema() },
      schema: { type: 'string' },
      first: { type: 'string' },
      next: { type: 'string' },
    },
    links: [
      { rel: 'first', href: '{first}' },
      { rel: 'next', href: '{next}' },
      { rel: 'describedby', href: '{schema}' },
    ],
  }
}

export function memberSchema() {
  return {
    name: 'member',
    properties: {
      created_at: { type: 'string' },
      image_id: { type: 'string' },
      member_id: { type: 'string' },
      schema: { type: 'string', readOnly: true },
      status: { type: 'string', enum: ['pending', 'accepted', 'rejected'] },
      updated_at: { type: 'string' },
    },
  }
}

export function membersSchema() {
  return {
    name: 'members',
    properties: { members: { type: 'array', items: memberSchema() }, schema: { type: 'string' } },
    links: [{ rel: 'describedby', href: '{schema}' }],
  }
}
