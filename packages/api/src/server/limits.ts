// Query limits: depth (graphql-depth-limit, a validation rule) and estimated cost
// (graphql-query-complexity, checked once the operation is known), both with typed errors.
import type { ApolloServerPlugin } from '@apollo/server';
import type { ValidationRule } from 'graphql';
import depthLimit from 'graphql-depth-limit';
import { getComplexity, simpleEstimator, type ComplexityEstimator } from 'graphql-query-complexity';
import { apiError } from './errors.js';
import type { ApiContext } from './context.js';

/** Fields that cost more than 1, per resolved item. */
const FIELD_COST: Record<string, number> = {
  'Mutation.explain': 200,
  'Mutation.uploadImage': 20,
  'Heatmap.png': 20,
  'Heatmap.alignment': 20,
  'Heatmap.raw': 2,
  'Image.dataUrl': 10,
  'Model.labels': 5,
  'Mutation.startAnnotation': 5,
  'Mutation.submitAnnotation': 10,
  'Image.humanAttention': 10,
  'HumanAttention.agreement': 50,
  'HumanAttention.png': 20,
};

/** Connection and list fields multiply the cost of what they return by `first`. */
const costEstimator: ComplexityEstimator = ({ type, field, args, childComplexity }) => {
  const own = FIELD_COST[`${type.name}.${field.name}`] ?? 1;
  const first = typeof args.first === 'number' && field.name !== 'labels' ? Math.max(1, args.first) : 1;
  return own + first * childComplexity;
};

export function depthRule(maxDepth: number): ValidationRule {
  return depthLimit(maxDepth) as ValidationRule;
}

/** Map graphql-depth-limit's validation message to our code (see formatError). */
export const DEPTH_MESSAGE = /exceeds maximum operation depth/;

export function costPlugin(maxCost: number): ApolloServerPlugin<ApiContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document, schema }) {
          let cost: number;
          try {
            cost = getComplexity({
              schema,
              query: document,
              operationName: request.operationName,
              variables: request.variables,
              estimators: [costEstimator, simpleEstimator({ defaultComplexity: 1 })],
            });
          } catch (e) {
            // variables that do not fit their types (an unknown enum value, a string for an Int): the
            // execution refuses them with BAD_USER_INPUT before running anything, so nothing is to cost
            // (by name: graphql-query-complexity may load the other of graphql's CJS and ESM builds)
            if (e instanceof Error && e.name === 'GraphQLError') return;
            throw e;
          }
          if (cost > maxCost) {
            throw apiError('QUERY_TOO_COMPLEX', `the query's estimated cost is ${cost}; the limit is ${maxCost} (SALIENCY_MAX_QUERY_COST)`, { cost, maxCost });
          }
        },
      };
    },
  };
}
