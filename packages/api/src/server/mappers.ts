// The objects resolvers pass to the fields of each GraphQL type (codegen `mappers`).
import type { CostClass as CoreCost } from '@saliency-explainer/core';
import type { AnnotationRecord, ExplanationRecord, HeatmapRecord, Page } from '../storage/types.js';

/** A served model; its Explainer is loaded only when a field needs it. */
export interface ModelInfo {
  id: string;
}

export interface MethodInfo {
  id: string;
  name: string;
  needsGradients: boolean;
  cost: CoreCost;
  kind: 'cam' | 'attribution';
}

export interface ExplanationParent {
  record: ExplanationRecord;
  cached: boolean;
}

export interface HeatmapParent {
  heatmap: HeatmapRecord;
  explanation: ExplanationRecord;
}

export type ConnectionParent = Page<ExplanationRecord>;

export type AnnotationConnectionParent = Page<AnnotationRecord>;

export interface AnnotationEdgeParent {
  cursor: string;
  node: AnnotationRecord;
}

export interface EdgeParent {
  cursor: string;
  node: ExplanationRecord;
}

export type HealthInfo = Record<string, never>;
