// The validate stage: declared schema, rules, per-rule statistics and failure policies.
export { validateStage, ValidateStage, SCHEMA_RULE, type ValidateMetrics, type RuleStats } from './stage.ts';
export { validateConfig, ruleName, POLICIES, type Policy, type RuleConfig, type ValidateConfig } from './config.ts';
export { payloadOf, columnGetter } from './payload.ts';
