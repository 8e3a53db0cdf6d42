// A tiny random-weight image captioner in the layout Optimum exports a VisionEncoderDecoder model to
// (what transformers.js loads): config.json, generation_config.json, preprocessor_config.json,
// tokenizer.json + tokenizer_config.json, onnx/encoder_model.onnx and onnx/decoder_model_merged.onnx
// (the decoder with its key/value cache, GPT-2 style names past_key_values.i.key/value → present.i.*).
//
// Encoder: pixel_values [b, 3, S, S] → a P×P patch Conv (stride P) → [b, n, d] → tanh = last_hidden_state.
// Decoder, one new token per step (as generation feeds it): a = tanh(E[token] + mean_n enc), the
// cache gains a (present.0.key = concat(past.0.key, a), value likewise), h = tanh(a + Σ cache keys),
// logits = h·W + bias. `greedy` computes the same in float64, step by step, independently of ONNX.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataType, encodeModel, makeFloatTensor, makeInt64Tensor, makeNode, makeValueInfo, type ModelProto } from '../../packages/core/src/onnx/proto.js';
import { randn, rng } from './ort.js';

export const TINY_WORDS = ['a', 'cat', 'dog', 'on', 'the', 'sofa', 'grass', 'sitting', 'small', 'red'];
/** Special tokens first: pad 0, bos/decoder start 1, eos 2; then the words. */
export const TINY_VOCAB = ['<pad>', '<s>', '</s>', ...TINY_WORDS];

export interface TinyCaptioner {
  dir: string;
  /** Image side the processor resizes to, patch side, hidden size, heads. */
  size: number;
  patch: number;
  hidden: number;
  heads: number;
  /** Weights, row-major: conv [d, 3, P, P], conv bias [d], embeddings [V, d], output [d, V], output bias [V]. */
  conv: Float32Array;
  convBias: Float32Array;
  embed: Float32Array;
  out: Float32Array;
  outBias: Float32Array;
  maxNewTokens: number;
}

function graphModel(name: string, nodes: ReturnType<typeof makeNode>[], initializers: ReturnType<typeof makeFloatTensor>[],
  inputs: ReturnType<typeof makeValueInfo>[], outputs: ReturnType<typeof makeValueInfo>[]): ModelProto {
  return {
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    graph: { name, node: nodes, initializer: initializers, input: inputs, output: outputs },
  } as ModelProto;
}

/** Write the captioner's folder under `parent`/`name` (random weights from `seed`). */
export function writeTinyCaptioner(parent: string, name = 'tiny-captioner', seed = 7): TinyCaptioner {
  const size = 8;
  const patch = 4;
  const heads = 2;
  const hidden = 8;
  const vocab = TINY_VOCAB.length;
  const r = rng(seed);
  const t: TinyCaptioner = {
    dir: join(parent, name), size, patch, hidden, heads,
    conv: randn(hidden * 3 * patch * patch, r, 0.4),
    convBias: randn(hidden, r, 0.1),
    embed: randn(vocab * hidden, r, 1),
    out: randn(hidden * vocab, r, 1.5),
    outBias: randn(vocab, r, 0.2),
    maxNewTokens: 6,
  };
  // pad and the start token are never generated (real captioners learn that); the end token may be
  t.outBias[0] = t.outBias[1] = -20;
  const n = (size / patch) ** 2;
  const dh = hidden / heads;
  mkdirSync(join(t.dir, 'onnx'), { recursive: true });

  const encoder = graphModel('encoder', [
    makeNode('Conv', ['pixel_values', 'conv_w', 'conv_b'], ['patches'], { kernel_shape: [patch, patch], strides: [patch, patch] }),
    makeNode('Reshape', ['patches', 'flat_shape'], ['flat']),
    makeNode('Transpose', ['flat'], ['tokens'], { perm: [0, 2, 1] }),
    makeNode('Tanh', ['tokens'], ['last_hidden_state']),
  ], [
    makeFloatTensor('conv_w', [hidden, 3, patch, patch], t.conv),
    makeFloatTensor('conv_b', [hidden], t.convBias),
    makeInt64Tensor('flat_shape', [3], [0, hidden, -1]),
  ], [makeValueInfo('pixel_values', DataType.FLOAT, ['batch_size', 3, size, size])],
  [makeValueInfo('last_hidden_state', DataType.FLOAT, ['batch_size', n, hidden])]);

  // [b, s, d] → [b, heads, s, dh] and back
  const decoder = graphModel('decoder', [
    makeNode('Gather', ['embed', 'input_ids'], ['emb'], { axis: 0 }),
    makeNode('ReduceMean', ['encoder_hidden_states'], ['context'], { axes: [1], keepdims: 1 }),
    makeNode('Add', ['emb', 'context'], ['pre']),
    makeNode('Tanh', ['pre'], ['a']),
    makeNode('Reshape', ['a', 'split_shape'], ['a_split']),
    makeNode('Transpose', ['a_split'], ['a_heads'], { perm: [0, 2, 1, 3] }),
    makeNode('Concat', ['past_key_values.0.key', 'a_heads'], ['present.0.key'], { axis: 2 }),
    makeNode('Concat', ['past_key_values.0.value', 'a_heads'], ['present.0.value'], { axis: 2 }),
    makeNode('ReduceSum', ['present.0.key', 'seq_axis'], ['summed'], { keepdims: 1 }),
    makeNode('Transpose', ['summed'], ['summed_t'], { perm: [0, 2, 1, 3] }),
    makeNode('Reshape', ['summed_t', 'merge_shape'], ['state']),
    makeNode('Add', ['a', 'state'], ['pre_h']),
    makeNode('Tanh', ['pre_h'], ['h']),
    makeNode('MatMul', ['h', 'out_w'], ['scores']),
    makeNode('Add', ['scores', 'out_b'], ['logits']),
  ], [
    makeFloatTensor('embed', [vocab, hidden], t.embed),
    makeFloatTensor('out_w', [hidden, vocab], t.out),
    makeFloatTensor('out_b', [vocab], t.outBias),
    makeInt64Tensor('split_shape', [4], [0, 0, heads, dh]),
    makeInt64Tensor('merge_shape', [3], [0, 0, hidden]),
    makeInt64Tensor('seq_axis', [1], [2]),
  ], [
    makeValueInfo('input_ids', DataType.INT64, ['batch_size', 'decoder_sequence_length']),
    makeValueInfo('encoder_hidden_states', DataType.FLOAT, ['batch_size', 'encoder_sequence_length', hidden]),
    makeValueInfo('past_key_values.0.key', DataType.FLOAT, ['batch_size', heads, 'past_decoder_sequence_length', dh]),
    makeValueInfo('past_key_values.0.value', DataType.FLOAT, ['batch_size', heads, 'past_decoder_sequence_length', dh]),
  ], [
    makeValueInfo('logits', DataType.FLOAT, ['batch_size', 'decoder_sequence_length', vocab]),
    makeValueInfo('present.0.key', DataType.FLOAT, ['batch_size', heads, 'past_decoder_sequence_length + 1', dh]),
    makeValueInfo('present.0.value', DataType.FLOAT, ['batch_size', heads, 'past_decoder_sequence_length + 1', dh]),
  ]);
  writeFileSync(join(t.dir, 'onnx', 'encoder_model.onnx'), encodeModel(encoder));
  writeFileSync(join(t.dir, 'onnx', 'decoder_model_merged.onnx'), encodeModel(decoder));

  const json = (file: string, value: unknown) => writeFileSync(join(t.dir, file), JSON.stringify(value, null, 2));
  json('config.json', {
    architectures: ['VisionEncoderDecoderModel'], model_type: 'vision-encoder-decoder', is_encoder_decoder: true,
    decoder_start_token_id: 1, pad_token_id: 0, eos_token_id: 2,
    encoder: { model_type: 'vit', hidden_size: hidden, image_size: size, patch_size: patch, num_channels: 3 },
    decoder: { model_type: 'gpt2', n_embd: hidden, n_head: heads, n_layer: 1, vocab_size: vocab, bos_token_id: 1, eos_token_id: 2, add_cross_attention: true },
  });
  json('generation_config.json', { decoder_start_token_id: 1, bos_token_id: 1, eos_token_id: 2, pad_token_id: 0, max_length: 32 });
  json('preprocessor_config.json', {
    image_processor_type: 'ViTImageProcessor', do_resize: true, size: { height: size, width: size }, resample: 2,
    do_rescale: true, rescale_factor: 1 / 255, do_normalize: true, image_mean: [0.5, 0.5, 0.5], image_std: [0.5, 0.5, 0.5],
  });
  json('tokenizer.json', {
    version: '1.0', truncation: null, padding: null,
    added_tokens: TINY_VOCAB.slice(0, 3).map((content, id) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
    normalizer: null, pre_tokenizer: { type: 'Whitespace' }, post_processor: null,
    decoder: null,
    model: { type: 'WordLevel', vocab: Object.fromEntries(TINY_VOCAB.map((w, i) => [w, i])), unk_token: '<pad>' },
  });
  json('tokenizer_config.json', { tokenizer_class: 'PreTrainedTokenizerFast', bos_token: '<s>', eos_token: '</s>', pad_token: '<pad>', unk_token: '<pad>', model_max_length: 64 });
  return t;
}

/** The model's input for an RGB image already S×S: (v/255 − 0.5)/0.5, planar, as the processor makes it. */
export function pixelValues(t: TinyCaptioner, rgb: Uint8Array): Float64Array {
  const s = t.size;
  const x = new Float64Array(3 * s * s);
  for (let c = 0; c < 3; c++) for (let i = 0; i < s * s; i++) x[c * s * s + i] = (rgb[i * 3 + c] / 255 - 0.5) / 0.5;
  return x;
}

/**
 * Greedy decoding from the weights in float64: the token ids after the start token (the end token
 * included when it comes), and the smallest gap between the best and second-best logit on the way.
 */
export function greedy(t: TinyCaptioner, pixels: Float64Array): { ids: number[]; minGap: number } {
  const { size: s, patch: p, hidden: d } = t;
  const g = s / p;
  const vocab = TINY_VOCAB.length;
  // encoder: patch conv, tanh; the decoder only uses the mean over patches
  const context = new Float64Array(d);
  for (let py = 0; py < g; py++) for (let px = 0; px < g; px++) {
    for (let o = 0; o < d; o++) {
      let acc = t.convBias[o];
      for (let c = 0; c < 3; c++) for (let ky = 0; ky < p; ky++) for (let kx = 0; kx < p; kx++) {
        acc += t.conv[((o * 3 + c) * p + ky) * p + kx] * pixels[c * s * s + (py * p + ky) * s + px * p + kx];
      }
      context[o] += Math.tanh(acc) / (g * g);
    }
  }
  const keys = new Float64Array(d);
  const ids: number[] = [];
  let minGap = Infinity;
  let token = 1;
  for (let step = 0; step < t.maxNewTokens; step++) {
    const a = Array.from({ length: d }, (_, i) => Math.tanh(t.embed[token * d + i] + context[i]));
    for (let i = 0; i < d; i++) keys[i] += a[i];
    const h = a.map((v, i) => Math.tanh(v + keys[i]));
    const logits = Array.from({ length: vocab }, (_, v) => h.reduce((acc, hv, i) => acc + hv * t.out[i * vocab + v], t.outBias[v]));
    const order = logits.map((_, i) => i).sort((i, j) => logits[j] - logits[i] || i - j);
    minGap = Math.min(minGap, logits[order[0]] - logits[order[1]]);
    token = order[0];
    ids.push(token);
    if (token === 2) break;
  }
  return { ids, minGap };
}
