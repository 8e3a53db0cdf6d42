// ONNX Runtime Web adapted to what core expects of a runtime: one session created at a time, and,
// when ORT runs in its proxy worker, inputs copied (the worker takes ownership of their buffers).
import type { OrtRuntime } from '@saliency-explainer/core';
import type { InferenceSession, Tensor } from 'onnxruntime-web';
import type { OrtWeb } from './ort-loader.js';

type Feeds = Record<string, Tensor>;

/** A copy of each feed: core reuses its arrays (activations, inputs) across runs. */
function copyFeeds(ort: OrtWeb, feeds: Feeds): Feeds {
  const out: Feeds = {};
  for (const [name, t] of Object.entries(feeds)) {
    const data = (t.data as Float32Array | BigInt64Array).slice();
    out[name] = new ort.Tensor(t.type as 'float32', data as Float32Array, t.dims) as unknown as Tensor;
  }
  return out;
}

/** `session` with run() feeding copies of its inputs (the other members are the session's own). */
function copyingInputs(ort: OrtWeb, session: InferenceSession): InferenceSession {
  const wrapped = Object.create(session) as InferenceSession;
  const run = session.run.bind(session) as (feeds: Feeds, ...rest: unknown[]) => ReturnType<InferenceSession['run']>;
  Object.defineProperty(wrapped, 'run', { value: (feeds: Feeds, ...rest: unknown[]) => run(copyFeeds(ort, feeds), ...rest) });
  return wrapped;
}

const runtimes = new WeakMap<OrtWeb, OrtRuntime>();

/**
 * The runtime for core, one per ORT module (the classifier's and the caption detector's sessions share
 * it). Session creation is serialised: core compiles a layer's sessions in parallel, which ONNX
 * Runtime's WebGPU provider refuses ("another WebGPU EP inference session is being created"); on wasm
 * they are created one after another anyway.
 */
export function browserRuntime(ort: OrtWeb): OrtRuntime {
  let r = runtimes.get(ort);
  if (!r) runtimes.set(ort, (r = serialisedRuntime(ort)));
  return r;
}

function serialisedRuntime(ort: OrtWeb): OrtRuntime {
  let queue: Promise<unknown> = Promise.resolve();
  const runtime = ort as unknown as OrtRuntime;
  const proxied = ort.env.wasm.proxy === true;
  return {
    Tensor: runtime.Tensor,
    InferenceSession: {
      create(model, options) {
        const next = queue.then(async () => {
          // the proxy transfers the model's buffer to the worker: hand it a copy
          const session = await runtime.InferenceSession.create(proxied ? model.slice() : model, options);
          return proxied ? copyingInputs(ort, session) : session;
        });
        queue = next.catch(() => undefined);
        return next;
      },
    },
  };
}
