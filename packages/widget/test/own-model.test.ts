// Your own classifier in the widget (issue 18): model = the .onnx URL, and a spec that needs to say
// only what the graph cannot (the preprocessing): inline model-spec, a model-spec URL, or the JSON beside
// the file (NAME.json, else model.json: ../shared/models' layout, served here under /shared-models/).
import { deepEqual, equal, ok } from './helpers/assert.js';
import { routeCount } from './helpers/commands.js';
import { mount, nextError, nextReady } from './helpers/element.js';

const CIFAR10 = ['plane', 'car', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

describe('own model: model = URL + spec', () => {
  it('runs with only the preprocessing in model-spec: input name and size, softmax output and logits from the graph', async () => {
    const spec = { channelOrder: 'BGR', scale: 1, mean: [103.939, 116.779, 123.68], std: [1, 1, 1], labels: '/models/files/labels/imagenet_synset.txt' };
    const { el } = mount({ src: '/images/both.png', mode: 'wasm', model: '/models/files/squeezenet1.0/model-fp16.onnx', 'model-spec': JSON.stringify(spec), 'top-k': '2' });
    const r = await nextReady(el);
    equal(r.model, new URL('/models/files/squeezenet1.0/model-fp16.onnx', location.href).href, 'model id is its URL');
    equal(r.layer, 'fire9/concat_2', 'the default layer found by the engine');
    // the manifest's full spec gives the same two classes (fallback.test.ts); the gradients start at the softmax's input
    deepEqual(r.predictions.map((p) => p.label), ['bull mastiff', 'boxer'], 'predictions');
    ok(r.maps.length > 0 && r.maps[0].map.width === 224, 'a 224-pixel map');
    el.remove();
  });

  it('finds the project\'s model.json beside the file (labels from its ../labels path)', async () => {
    const { el } = mount({ src: '/images/both.png', mode: 'wasm', model: '/shared-models/cifar10-tiny/model.onnx', 'top-k': '3' });
    const r = await nextReady(el);
    ok(await routeCount('/shared-models/cifar10-tiny/model.json') >= 1, 'model.json fetched');
    equal(r.predictions.length, 3, 'three predictions');
    ok(r.predictions.every((p) => CIFAR10.includes(p.label)), `CIFAR-10 labels: ${r.predictions.map((p) => p.label)}`);
    equal(r.maps[0].map.width, 32, 'the model\'s 32-pixel frame, from the graph');
    el.remove();
  });

  it('takes model-spec as the URL of a JSON file in the project\'s form; no labels: "class N"', async () => {
    const { el } = mount({ src: '/images/both.png', mode: 'wasm', model: '/shared-models/fixtures/vgg11_w8.onnx', 'model-spec': '/shared-models/fixtures/vgg11_w8.json', 'class-index': '243' });
    const r = await nextReady(el);
    equal(r.layer, '/features/features.20/MaxPool_output_0', 'the JSON\'s target layer');
    equal(r.maps[0].classIndex, 243, 'class');
    equal(r.maps[0].label, 'class 243', 'classes named by their index');
    el.remove();
  });

  it('says what is missing (BAD_ATTRIBUTE) before downloading the model', async () => {
    const { el } = mount({ src: '/images/both.png', mode: 'wasm', model: '/shared-models/fixtures/resnet18.onnx', 'model-spec': '{"channelOrder":"RGB"}' });
    const e = await nextError(el);
    equal(e.code, 'BAD_ATTRIBUTE', 'code');
    for (const field of ['scale', 'mean', 'std']) ok(e.message.includes(`- ${field}: `), `names ${field}: ${e.message}`);
    ok(!e.message.includes('- channelOrder'), 'channelOrder was given');
    equal(await routeCount('/shared-models/fixtures/resnet18.onnx'), 0, 'the model was not downloaded');
    el.remove();
  });
});
