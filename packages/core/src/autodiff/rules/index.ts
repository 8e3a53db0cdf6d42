// The table of backward rules, by ONNX op type.
import type { BackwardRule } from '../types.js';
import * as activations from './activations.js';
import * as arithmetic from './arithmetic.js';
import { Conv } from './conv.js';
import * as pool from './pool.js';
import * as shapeOps from './shape-ops.js';
import * as linear from './linear.js';
import * as normalization from './normalization.js';
import * as slice from './slice.js';
import { Resize } from './resize.js';

export const backwardRules: Record<string, BackwardRule> = {
  ...activations,
  ...arithmetic,
  Conv,
  ...pool,
  ...shapeOps,
  ...linear,
  ...normalization,
  ...slice,
  Resize,
};

export function hasBackwardRule(opType: string): boolean {
  return Object.prototype.hasOwnProperty.call(backwardRules, opType);
}
