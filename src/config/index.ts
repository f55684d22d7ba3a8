export {
  findDefaultConfigDirs,
  findDefaultConfigFiles,
  loadConfig,
  redactedConfigDump,
  type LoadConfigOptions,
  type LoadedConfig,
} from './load.js'
export { renderSampleConfig } from './sample.js'
export type { ConfigOverrides, NovaConfig, SectionName } from './types.js'
export { REGISTRY, SECTIONS } from './options/index.js'
export {
  parseIni,
  normalizeSectionName,
  type IniDocument,
  type IniSection,
  type IniValue,
} from './ini-parser.js'
export * from './opt.js'
