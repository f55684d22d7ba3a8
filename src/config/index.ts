export {
  findDefaultConfigFiles,
  loadConfig,
  redactedConfigDump,
  type LoadConfigOptions,
  type LoadedConfig,
} from './load.js'
export { renderSampleConfig } from './sample.js'
export type { ConfigOverrides, NovaConfig, SectionName } from './types.js'
export { SECTIONS } from './options/index.js'
export * from './opt.js'
