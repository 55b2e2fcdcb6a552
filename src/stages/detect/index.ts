// The detect stage: real-time schema inference, versioned history, Auto Loader evolution modes.
export { detectStage, DetectStage, type DetectMetrics } from './stage.ts';
export { detectConfig, MODES, type DetectConfig, type EvolutionMode } from './config.ts';
export { SchemaHistory, type SchemaVersion } from './history.ts';
export { addFields, rescueRow } from './evolve.ts';
