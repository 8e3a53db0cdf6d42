// A read-only index over a GraphProto: producers, consumers, constants, topological order.
import {
  type GraphProto, type NodeProto, type TensorProto,
  attrTensor, tensorDims, tensorValues,
} from './proto.js';

export class GraphIndex {
  readonly nodes: NodeProto[];
  readonly producer = new Map<string, NodeProto>();
  readonly consumers = new Map<string, NodeProto[]>();
  readonly initializers = new Map<string, TensorProto>();
  /** Real inputs: graph inputs that are not initializers (old IRs list weights as inputs too). */
  readonly inputs: string[];
  readonly outputs: string[];

  constructor(readonly graph: GraphProto) {
    this.nodes = graph.node ?? [];
    for (const t of graph.initializer ?? []) this.initializers.set(t.name ?? '', t);
    for (const n of this.nodes) {
      for (const o of n.output ?? []) if (o) this.producer.set(o, n);
      for (const i of n.input ?? []) {
        if (!i) continue;
        const list = this.consumers.get(i) ?? [];
        list.push(n);
        this.consumers.set(i, list);
      }
    }
    this.inputs = (graph.input ?? []).map((v) => v.name ?? '').filter((n) => !this.initializers.has(n));
    this.outputs = (graph.output ?? []).map((v) => v.name ?? '');
  }

  /** The constant tensor behind a name: an initializer or the output of a Constant node. */
  constantTensor(name: string): TensorProto | undefined {
    const init = this.initializers.get(name);
    if (init) return init;
    const p = this.producer.get(name);
    if (p?.opType === 'Constant') return attrTensor(p, 'value');
    return undefined;
  }

  isConstant(name: string): boolean {
    return this.constantTensor(name) !== undefined;
  }

  constantValue(name: string): { dims: number[]; values: Float64Array } | undefined {
    const t = this.constantTensor(name);
    return t ? { dims: tensorDims(t), values: tensorValues(t) } : undefined;
  }

  /** Node display name for error messages: its name, else its op and first output. */
  static describe(node: NodeProto): string {
    return node.name ? `'${node.name}' (${node.opType})` : `${node.opType} → '${node.output?.[0] ?? '?'}'`;
  }

  /** Every tensor reachable forward from `sources` (the sources included). */
  downstreamOf(sources: Iterable<string>): Set<string> {
    const seen = new Set<string>(sources);
    for (const n of this.nodes) {
      // nodes are topologically sorted in valid ONNX graphs
      if ((n.input ?? []).some((i) => i && seen.has(i))) for (const o of n.output ?? []) if (o) seen.add(o);
    }
    return seen;
  }

  /** Nodes needed to compute `targets` (in topological order). */
  ancestorsOf(targets: Iterable<string>): NodeProto[] {
    const need = new Set<string>(targets);
    const picked = new Set<NodeProto>();
    for (let k = this.nodes.length - 1; k >= 0; k--) {
      const n = this.nodes[k];
      if ((n.output ?? []).some((o) => o && need.has(o))) {
        picked.add(n);
        for (const i of n.input ?? []) if (i) need.add(i);
      }
    }
    return this.nodes.filter((n) => picked.has(n));
  }
}
