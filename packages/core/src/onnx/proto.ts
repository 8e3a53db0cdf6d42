// ONNX protobuf access: decode/encode ModelProto and small helpers to read and make
// tensors, attributes and nodes. Everything else in core goes through this file.
import onnxProto from 'onnx-proto';

export const onnx = onnxProto.onnx;
export type ModelProto = onnxProto.onnx.ModelProto;
export type GraphProto = onnxProto.onnx.IGraphProto;
export type NodeProto = onnxProto.onnx.INodeProto;
export type TensorProto = onnxProto.onnx.ITensorProto;
export type ValueInfoProto = onnxProto.onnx.IValueInfoProto;
export type AttributeProto = onnxProto.onnx.IAttributeProto;

export const DataType = onnx.TensorProto.DataType;
export const AttrType = onnx.AttributeProto.AttributeType;

/** int64 fields decode as Long objects; turn them into JS numbers. */
export function toNum(v: number | { toNumber(): number } | null | undefined): number {
  if (v === null || v === undefined) return 0;
  return typeof v === 'number' ? v : v.toNumber();
}

export function decodeModel(bytes: Uint8Array): ModelProto {
  return onnx.ModelProto.decode(bytes);
}

export function encodeModel(model: onnxProto.onnx.IModelProto): Uint8Array {
  return onnx.ModelProto.encode(model).finish();
}

/** Deep copy, so that compiled models never alias the parsed original. */
export function cloneModel(model: ModelProto): ModelProto {
  return onnx.ModelProto.decode(onnx.ModelProto.encode(model).finish());
}

// ---------- attributes ----------

export function getAttr(node: NodeProto, name: string): AttributeProto | undefined {
  return node.attribute?.find((a) => a.name === name) ?? undefined;
}
export function attrInt(node: NodeProto, name: string, dflt: number): number {
  const a = getAttr(node, name);
  return a ? toNum(a.i as never) : dflt;
}
export function attrFloat(node: NodeProto, name: string, dflt: number): number {
  const a = getAttr(node, name);
  return a ? (a.f ?? dflt) : dflt;
}
export function attrInts(node: NodeProto, name: string): number[] | undefined {
  const a = getAttr(node, name);
  return a ? (a.ints ?? []).map((v) => toNum(v as never)) : undefined;
}
export function attrString(node: NodeProto, name: string, dflt: string): string {
  const a = getAttr(node, name);
  return a?.s ? new TextDecoder().decode(a.s) : dflt;
}
export function attrTensor(node: NodeProto, name: string): TensorProto | undefined {
  return getAttr(node, name)?.t ?? undefined;
}

export type AttrValue = number | number[] | string | TensorProto | { float: number } | { floats: number[] };

/** Make an attribute. Plain numbers are INT, number[] INTS; wrap floats as {float} / {floats}. */
export function makeAttr(name: string, v: AttrValue): AttributeProto {
  if (typeof v === 'number') return { name, type: AttrType.INT, i: v };
  if (Array.isArray(v)) return { name, type: AttrType.INTS, ints: v };
  if (typeof v === 'string') return { name, type: AttrType.STRING, s: new TextEncoder().encode(v) };
  if ('float' in v) return { name, type: AttrType.FLOAT, f: (v as { float: number }).float };
  if ('floats' in v) return { name, type: AttrType.FLOATS, floats: (v as { floats: number[] }).floats };
  return { name, type: AttrType.TENSOR, t: v as TensorProto };
}

export function makeNode(
  opType: string,
  inputs: string[],
  outputs: string[],
  attrs: Record<string, AttrValue | undefined> = {},
  name = '',
): NodeProto {
  const attribute = Object.entries(attrs)
    .filter((e): e is [string, AttrValue] => e[1] !== undefined)
    .map(([k, v]) => makeAttr(k, v));
  return { opType, input: inputs, output: outputs, attribute, name, domain: '' };
}

// ---------- tensors ----------

export function makeFloatTensor(name: string, dims: readonly number[], values: ArrayLike<number>): TensorProto {
  const data = Float32Array.from(values as ArrayLike<number>);
  return { name, dims: [...dims], dataType: DataType.FLOAT, rawData: new Uint8Array(data.buffer) };
}

export function makeInt64Tensor(name: string, dims: readonly number[], values: readonly number[]): TensorProto {
  const data = BigInt64Array.from(values.map((v) => BigInt(v)));
  return { name, dims: [...dims], dataType: DataType.INT64, rawData: new Uint8Array(data.buffer) };
}

export function makeValueInfo(name: string, elemType: number, dims: readonly (number | string)[]): ValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

/** Shape of a value info: numbers for fixed dims, strings for symbolic ones. */
export function valueInfoDims(vi: ValueInfoProto): (number | string)[] | undefined {
  const dims = vi.type?.tensorType?.shape?.dim;
  if (!dims) return undefined;
  return dims.map((d) => (d.dimParam ? d.dimParam : d.dimValue != null ? toNum(d.dimValue as never) : '?'));
}

export function tensorDims(t: TensorProto): number[] {
  return (t.dims ?? []).map((d) => toNum(d as never));
}

function rawView(t: TensorProto): DataView | undefined {
  const raw = t.rawData;
  if (!raw || raw.length === 0) return undefined;
  return new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
}

/** IEEE 754 half → float. */
export function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

let halfTable: Float32Array | null = null;

/**
 * halfToFloat of every 16-bit pattern, built once (256 KiB): every half is exact in float32, and a
 * lookup is ~10× faster than the formula, which made fp16 models' weights the slowest part of loading.
 */
export function halfToFloatTable(): Float32Array {
  if (!halfTable) {
    halfTable = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) halfTable[h] = halfToFloat(h);
  }
  return halfTable;
}

/** Numeric values of a tensor as float64 numbers (float, float16, double, int32/64, uint8, int8, bool). */
export function tensorValues(t: TensorProto): Float64Array {
  const n = tensorDims(t).reduce((a, b) => a * b, 1);
  const out = new Float64Array(n);
  const dv = rawView(t);
  const dt = t.dataType ?? 0;
  if (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) {
    throw new Error(`tensor ${t.name}: external data is not supported; save the model with weights inline`);
  }
  switch (dt) {
    case DataType.FLOAT:
      if (dv) for (let i = 0; i < n; i++) out[i] = dv.getFloat32(i * 4, true);
      else out.set(t.floatData ?? []);
      break;
    case DataType.DOUBLE:
      if (dv) for (let i = 0; i < n; i++) out[i] = dv.getFloat64(i * 8, true);
      else out.set(t.doubleData ?? []);
      break;
    case DataType.FLOAT16: {
      const half = halfToFloatTable();
      if (dv) for (let i = 0; i < n; i++) out[i] = half[dv.getUint16(i * 2, true)];
      else (t.int32Data ?? []).forEach((v, i) => (out[i] = half[v & 0xffff]));
      break;
    }
    case DataType.INT64:
      if (dv) for (let i = 0; i < n; i++) out[i] = Number(dv.getBigInt64(i * 8, true));
      else (t.int64Data ?? []).forEach((v, i) => (out[i] = toNum(v as never)));
      break;
    case DataType.INT32:
      if (dv) for (let i = 0; i < n; i++) out[i] = dv.getInt32(i * 4, true);
      else out.set(t.int32Data ?? []);
      break;
    case DataType.UINT8:
    case DataType.BOOL:
      if (dv) for (let i = 0; i < n; i++) out[i] = dv.getUint8(i);
      else out.set(t.int32Data ?? []);
      break;
    case DataType.INT8:
      if (dv) for (let i = 0; i < n; i++) out[i] = dv.getInt8(i);
      else out.set(t.int32Data ?? []);
      break;
    default:
      throw new Error(`tensor ${t.name}: data type ${dt} is not supported`);
  }
  return out;
}

export function tensorToFloat32(t: TensorProto): Float32Array {
  return Float32Array.from(tensorValues(t));
}
