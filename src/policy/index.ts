export { PolicyEnforcer, type RuleDefault } from './enforcer.js'
export { evaluate, type Credentials, type Target } from './evaluate.js'
export { readPolicyFile } from './policy-file.js'
export { parseRule, type Check } from './rule-parser.js'
