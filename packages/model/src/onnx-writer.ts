/**
 * A small ONNX graph builder on top of onnx-proto: float32 initializers, the handful of operators our
 * CNNs need, a dynamic batch dimension, opset 17 (IR version 8).
 */
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

export const ONNX_OPSET = 17;
/** IR version 8 is the one that goes with opset 17. */
export const ONNX_IR_VERSION = 8;

/** A dimension: a fixed size or a symbolic name (e.g. 'batch'). */
export type Dim = number | string;
export type AttrValue = number | number[] | string | { float: number } | { floats: number[] };

type Attr = InstanceType<typeof onnx.AttributeProto>;
const AttrType = onnx.AttributeProto.AttributeType;

function attribute(name: string, value: AttrValue): Attr {
  if (typeof value === 'string') return onnx.AttributeProto.create({ name, type: AttrType.STRING, s: new TextEncoder().encode(value) });
  if (Array.isArray(value)) {
    if (!value.every(Number.isInteger)) throw new TypeError(`attribute ${name}: ints expected, got ${value.join(',')}`);
    return onnx.AttributeProto.create({ name, type: AttrType.INTS, ints: value });
  }
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new TypeError(`attribute ${name}: int expected, got ${value} (use { float })`);
    return onnx.AttributeProto.create({ name, type: AttrType.INT, i: value });
  }
  if ('float' in value) return onnx.AttributeProto.create({ name, type: AttrType.FLOAT, f: value.float });
  return onnx.AttributeProto.create({ name, type: AttrType.FLOATS, floats: value.floats });
}

function valueInfo(name: string, dims: Dim[]) {
  return onnx.ValueInfoProto.create({
    name,
    type: {
      tensorType: {
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  });
}

export interface ConvOptions {
  strides?: number;
  pads?: number;
  group?: number;
}

/**
 * Builds one graph. Layer helpers take input value names and return the output value name, naming
 * values and weights uniquely from the op type.
 */
export class OnnxGraphBuilder {
  private readonly nodes: InstanceType<typeof onnx.NodeProto>[] = [];
  private readonly initializers: InstanceType<typeof onnx.TensorProto>[] = [];
  private readonly inputs: InstanceType<typeof onnx.ValueInfoProto>[] = [];
  private readonly outputs: InstanceType<typeof onnx.ValueInfoProto>[] = [];
  private readonly used = new Set<string>();
  private counter = 0;

  constructor(readonly graphName: string) {}

  /** A fresh value name with the given prefix. */
  fresh(prefix: string): string {
    let name: string;
    do name = `${prefix}_${this.counter++}`;
    while (this.used.has(name));
    this.used.add(name);
    return name;
  }

  input(name: string, dims: Dim[]): string {
    this.used.add(name);
    this.inputs.push(valueInfo(name, dims));
    return name;
  }

  output(name: string, dims: Dim[]): void {
    this.outputs.push(valueInfo(name, dims));
  }

  /** A float32 constant (weights); stored little-endian as raw bytes. */
  initializer(prefix: string, dims: number[], data: Float32Array): string {
    const count = dims.reduce((a, b) => a * b, 1);
    if (count !== data.length) throw new RangeError(`initializer ${prefix}: dims ${dims.join('x')} need ${count} values, got ${data.length}`);
    const name = this.fresh(prefix);
    this.initializers.push(
      onnx.TensorProto.create({
        name,
        dims,
        dataType: onnx.TensorProto.DataType.FLOAT,
        rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      }),
    );
    return name;
  }

  /** An int64 constant (shapes for Reshape). */
  int64Initializer(prefix: string, values: number[]): string {
    const name = this.fresh(prefix);
    this.initializers.push(
      onnx.TensorProto.create({ name, dims: [values.length], dataType: onnx.TensorProto.DataType.INT64, int64Data: values }),
    );
    return name;
  }

  /** Any node; `outputName` lets the graph's final node write the declared output. */
  node(opType: string, inputs: string[], attrs: Record<string, AttrValue> = {}, outputName?: string): string {
    const out = outputName ?? this.fresh(opType.toLowerCase());
    this.used.add(out);
    this.nodes.push(
      onnx.NodeProto.create({
        opType,
        name: `${opType}_${this.nodes.length}`,
        input: inputs,
        output: [out],
        attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
      }),
    );
    return out;
  }

  /** Conv with weight [outC, inC/group, k, k] and optional bias [outC] (BatchNorm folded into these). */
  conv(x: string, weight: Float32Array, bias: Float32Array | undefined, outC: number, inC: number, k: number, o: ConvOptions = {}): string {
    const group = o.group ?? 1;
    const w = this.initializer('conv_w', [outC, inC / group, k, k], weight);
    const inputs = [x, w];
    if (bias) inputs.push(this.initializer('conv_b', [outC], bias));
    const p = o.pads ?? Math.floor(k / 2);
    return this.node('Conv', inputs, { kernel_shape: [k, k], strides: [o.strides ?? 1, o.strides ?? 1], pads: [p, p, p, p], group });
  }

  relu(x: string): string {
    return this.node('Relu', [x]);
  }

  maxPool(x: string, k: number, stride = k, pad = 0): string {
    return this.node('MaxPool', [x], { kernel_shape: [k, k], strides: [stride, stride], pads: [pad, pad, pad, pad] });
  }

  averagePool(x: string, k: number, stride = k): string {
    return this.node('AveragePool', [x], { kernel_shape: [k, k], strides: [stride, stride] });
  }

  globalAveragePool(x: string): string {
    return this.node('GlobalAveragePool', [x]);
  }

  batchNorm(x: string, scale: Float32Array, bias: Float32Array, mean: Float32Array, variance: Float32Array, epsilon = 1e-5): string {
    const c = scale.length;
    const ins = [x, ...[scale, bias, mean, variance].map((d, i) => this.initializer(`bn_${['s', 'b', 'm', 'v'][i]}`, [c], d))];
    return this.node('BatchNormalization', ins, { epsilon: { float: epsilon } });
  }

  /** [N, ...] → [N, rest] */
  flatten(x: string): string {
    return this.node('Flatten', [x], { axis: 1 });
  }

  reshape(x: string, shape: number[]): string {
    return this.node('Reshape', [x, this.int64Initializer('shape', shape)]);
  }

  /** y = x · Wᵀ + b with W [out, in] (the PyTorch Linear layout). */
  gemm(x: string, weight: Float32Array, bias: Float32Array, outF: number, inF: number): string {
    const w = this.initializer('fc_w', [outF, inF], weight);
    const b = this.initializer('fc_b', [outF], bias);
    return this.node('Gemm', [x, w, b], { transB: 1 });
  }

  /** y = x · W + b with W [in, out]. */
  matMulAdd(x: string, weight: Float32Array, bias: Float32Array, inF: number, outF: number): string {
    const mm = this.node('MatMul', [x, this.initializer('mm_w', [inF, outF], weight)]);
    return this.node('Add', [mm, this.initializer('mm_b', [outF], bias)]);
  }

  add(a: string, b: string): string {
    return this.node('Add', [a, b]);
  }

  softmax(x: string, outputName?: string): string {
    return this.node('Softmax', [x], { axis: -1 }, outputName);
  }

  /** Serialised ModelProto. */
  toBytes(meta: { producerName?: string; docString?: string } = {}): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: ONNX_IR_VERSION,
      opsetImport: [{ domain: '', version: ONNX_OPSET }],
      producerName: meta.producerName ?? '@offsample/model',
      producerVersion: '0.1.0',
      docString: meta.docString ?? '',
      graph: {
        name: this.graphName,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }
}
