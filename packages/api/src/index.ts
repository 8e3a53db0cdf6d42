// @saliency-explainer/api: the command line now, the GraphQL server later.
export { main } from './cli/main.js';
