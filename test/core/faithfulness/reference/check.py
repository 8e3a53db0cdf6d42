# Cross-check, step 2: core/faithfulness against the reference code itself, on prepare.mjs's files.
# SqueezeNet 1.0 rebuilt in torch from the ONNX initializers; RISE's CausalMetric (evaluation.py's
# single_run and gkern(11, 5), step 1792, written out below) and pytorch-grad-cam 1.5.5's ROAD and
# CamMult (its metrics/*.py imported as they are; cv2 stubbed: only the 'auto' percentile needs it).
# Usage: python3 check.py OUT_DIR PYTORCH_GRAD_CAM_CHECKOUT   (needs torch, numpy, scipy; not run by CI)
import json, os, sys, tempfile, types
import numpy as np
import torch
import torch.nn.functional as F
from scipy.ndimage import gaussian_filter
# the three metric files in a package of their own: pytorch_grad_cam/__init__.py imports cv2, ttach, …
pkg = tempfile.mkdtemp()
os.makedirs(os.path.join(pkg, 'pytorch_grad_cam', 'metrics'))
for f in ['pytorch_grad_cam/__init__.py', 'pytorch_grad_cam/metrics/__init__.py']:
    open(os.path.join(pkg, f), 'w').close()
for f in ['road', 'cam_mult_image', 'perturbation_confidence']:
    src = os.path.join(sys.argv[2], 'pytorch_grad_cam', 'metrics', f + '.py')
    open(os.path.join(pkg, 'pytorch_grad_cam', 'metrics', f + '.py'), 'w').write(open(src).read())
sys.path.insert(0, pkg)
sys.modules.setdefault('cv2', types.SimpleNamespace(THRESH_BINARY=0, THRESH_OTSU=8))
from pytorch_grad_cam.metrics.road import (ROADMostRelevantFirst, ROADLeastRelevantFirst, ROADCombined, NoisyLinearImputer)
from pytorch_grad_cam.metrics.cam_mult_image import CamMultImageConfidenceChange

D = sys.argv[1].rstrip('/') + '/'
idx = json.load(open(D + 'weights.json'))
raw = np.fromfile(D + 'weights.bin', dtype='<f4')
W = {k: torch.from_numpy(raw[v['offset']:v['offset'] + v['length']].reshape(v['dims']).copy()) for k, v in idx.items()}

def conv(x, name, pad=0, stride=1):
    return F.relu(F.conv2d(x, W[name + '_w_0'], W[name + '_b_0'], stride=stride, padding=pad))

def fire(x, n):
    s = conv(x, f'fire{n}/squeeze1x1')
    return torch.cat([conv(s, f'fire{n}/expand1x1'), conv(s, f'fire{n}/expand3x3', pad=1)], 1)

class Squeeze(torch.nn.Module):
    def forward(self, x):
        x = F.max_pool2d(conv(x, 'conv1', stride=2), 3, 2)
        x = F.max_pool2d(fire(fire(x, 2), 3), 3, 2)
        x = F.max_pool2d(fire(fire(x, 4), 5), 3, 2)
        x = fire(fire(fire(fire(x, 6), 7), 8), 9)
        return conv(x, 'conv10').mean((2, 3))

model = Squeeze().eval()
x = torch.from_numpy(np.fromfile(D + 'input.bin', dtype='<f4').reshape(1, 3, 224, 224).copy())
C = 243
with torch.no_grad():
    print('p(243) torch', float(torch.softmax(model(x), -1)[0, C]))

class Soft:  # ClassifierOutputSoftmaxTarget
    def __init__(s, c): s.c = c
    def __call__(s, o): return torch.softmax(o, -1)[s.c]
class Logit:  # ClassifierOutputTarget
    def __init__(s, c): s.c = c
    def __call__(s, o): return o[s.c]

# RISE's CausalMetric.single_run, on CPU, class fixed to 243, softmax model
def gkern(klen, nsig):
    inp = np.zeros((klen, klen)); inp[klen // 2, klen // 2] = 1
    k = gaussian_filter(inp, nsig)
    kern = np.zeros((3, 3, klen, klen)); kern[0, 0] = k; kern[1, 1] = k; kern[2, 2] = k
    return torch.from_numpy(kern.astype('float32'))
kern = gkern(11, 5)
rise_blur = lambda t: F.conv2d(t, kern, padding=5)

def rise(mode, expl, substrate, step=1792):
    HW = 224 * 224
    n = (HW + step - 1) // step
    start, finish = (x.clone(), substrate(x)) if mode == 'del' else (substrate(x), x.clone())
    scores = np.empty(n + 1)
    order = np.flip(np.argsort(expl.reshape(-1, HW), axis=1), axis=-1)
    with torch.no_grad():
        for i in range(n + 1):
            scores[i] = float(torch.softmax(model(start), -1)[0, C])
            if i < n:
                coords = order[:, step * i:step * (i + 1)]
                start.numpy().reshape(1, 3, HW)[0, :, coords] = finish.numpy().reshape(1, 3, HW)[0, :, coords]
    return (scores.sum() - scores[0] / 2 - scores[-1] / 2) / n, scores

for name in ['gradcam', 'random']:
    cam = np.fromfile(D + name + '.bin', dtype='<f4').reshape(224, 224)
    both = json.load(open(D + f'ours-{name}.json'))
    ours = both['gaussian']
    d, ds = rise('del', cam, torch.zeros_like)
    i, is_ = rise('ins', cam, rise_blur)
    print(f'\n== {name}: deletion AUC RISE {d:.5f} ours {ours["deletion"]["auc"]:.5f} | insertion AUC RISE {i:.5f} ours {ours["insertion"]["auc"]:.5f} (gaussian), {both["rise"]["insertion"]["auc"]:.5f} (rise)')
    print('   max |score diff| deletion', np.abs(ds - np.array(ours['deletion']['scores'])).max(), 'insertion (rise)', np.abs(is_ - np.array(both['rise']['insertion']['scores'])).max())
    cams = cam[None]
    torch.manual_seed(0)
    for p in [20, 40, 60, 80]:
        m = ROADMostRelevantFirst(p)(x, cams, [Soft(C)], model)[0]
        l = ROADLeastRelevantFirst(p)(x, cams, [Soft(C)], model)[0]
        print(f'   ROAD p={p}: MoRF ref {m:+.5f} ours {ours["road"]["morf"][str(p)]:+.5f} | LeRF ref {l:+.5f} ours {ours["road"]["lerf"][str(p)]:+.5f}')
    comb = ROADCombined(percentiles=[20, 40, 60, 80])(x, cams, [Soft(C)], model)[0]
    print(f'   ROAD combined ref {comb:+.5f} ours {ours["road"]["combined"]:+.5f}')
    cs = CamMultImageConfidenceChange()(x, cams, [Soft(C)], model)[0]
    cl = CamMultImageConfidenceChange()(x, cams, [Logit(C)], model)[0]
    print(f'   CamMult softmax ref {cs:+.6f} ours {ours["camMult"]["softmax"]:+.6f} | logit ref {cl:+.5f} ours {ours["camMult"]["logit"]:+.5f}')

# the imputation itself, noise 0, against NoisyLinearImputer(noise=0) and its masks
from pytorch_grad_cam.metrics.perturbation_confidence import RemoveMostRelevantFirst, RemoveLeastRelevantFirst
cam = torch.from_numpy(np.fromfile(D + 'gradcam.bin', dtype='<f4').reshape(224, 224))
for o, cls in [('morf', RemoveMostRelevantFirst), ('lerf', RemoveLeastRelevantFirst)]:
    for p in [20, 80]:
        captured = {}
        class Capture(NoisyLinearImputer):
            def __call__(s, img, mask):
                captured['mask'] = mask.numpy().copy()
                return super().__call__(img, mask)
        ref = cls(p, Capture(noise=0))(x[0], cam).numpy()
        ours = np.fromfile(D + f'imputed-gradcam-{o}-{p}.bin', dtype='<f4').reshape(3, 224, 224)
        keep = np.fromfile(D + f'keep-gradcam-{o}-{p}.bin', dtype=np.uint8).reshape(224, 224)
        print(f'imputation {o} {p}: masks equal {np.array_equal(keep, captured["mask"].astype(np.uint8))}, imputed {int((keep == 0).sum())} px, max |diff| {np.abs(ref - ours).max():.2e}')
