// Query limits with typed errors: depth (graphql-depth-limit, a validation rule, guarded against
// fragment cycles) and cost (server/cost.ts: work units and response bytes, checked once the
// operation is known and before any resolver runs).
import type { ApolloServerPlugin } from '@apollo/server';
import { Kind, type ASTNode, type DocumentNode, type FragmentDefinitionNode, type ValidationContext, type ValidationRule } from 'graphql';
import depthLimit from 'graphql-depth-limit';
import { apiError } from './errors.js';
import type { ApiContext } from './context.js';
import { operationCost, type CostEnv } from './cost.js';

/** Fragment names spread anywhere under `node` (not following the spreads). */
function spreads(node: ASTNode, out: string[] = []): string[] {
  if (node.kind === Kind.FRAGMENT_SPREAD) out.push(node.name.value);
  if ('selectionSet' in node && node.selectionSet) for (const s of node.selectionSet.selections) spreads(s, out);
  return out;
}

/** Whether the document's fragments spread each other in a cycle (graphql's NoFragmentCyclesRule reports it). */
export function hasFragmentCycle(doc: DocumentNode): boolean {
  const fragments = new Map(doc.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]));
  const state = new Map<string, 'open' | 'done'>();
  const visit = (name: string): boolean => {
    const s = state.get(name);
    if (s === 'open') return true;
    if (s === 'done' || !fragments.has(name)) return false;
    state.set(name, 'open');
    const cyclic = spreads(fragments.get(name)!).some(visit);
    state.set(name, 'done');
    return cyclic;
  };
  return [...fragments.keys()].some(visit);
}

/**
 * graphql-depth-limit measures depth when the rule is created, before graphql's own rules run, and
 * recurses through fragment spreads without a guard: a fragment cycle overflows the stack (and the
 * library logs it). With a cycle this rule does nothing and NoFragmentCyclesRule refuses the document.
 */
export function depthRule(maxDepth: number): ValidationRule {
  const limit = depthLimit(maxDepth) as unknown as (context: ValidationContext) => unknown;
  return (context) => {
    if (!hasFragmentCycle(context.getDocument())) limit(context);
    return {};
  };
}

/** Map graphql-depth-limit's validation message to our code (see formatError). */
export const DEPTH_MESSAGE = /exceeds maximum operation depth/;

export interface CostLimits {
  maxQueryCost: number;
  maxResponseBytes: number;
}

export function costPlugin(limits: CostLimits, env: CostEnv): ApolloServerPlugin<ApiContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document, operation, schema }) {
          if (!operation) return;
          const fragments = document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION);
          const cost = await operationCost(schema, operation, fragments, request.variables, env);
          const units = Math.ceil(cost.units);
          if (units > limits.maxQueryCost) {
            throw apiError('QUERY_TOO_COMPLEX', `the query would cost ${units} work units (one unit ≈ one forward pass); the limit is ${limits.maxQueryCost} (SALIENCY_MAX_QUERY_COST)`, { cost: units, maxCost: limits.maxQueryCost });
          }
          if (cost.bytes > limits.maxResponseBytes) {
            throw apiError('QUERY_TOO_COMPLEX', `the response could reach ${cost.bytes} bytes; the limit is ${limits.maxResponseBytes} (SALIENCY_MAX_RESPONSE_BYTES): ask for fewer or smaller PNGs, or page with first`, { responseBytes: cost.bytes, maxResponseBytes: limits.maxResponseBytes });
          }
        },
      };
    },
  };
}
