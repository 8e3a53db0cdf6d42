// Selective erasing / inpainting (issue 14): the study's mask and gate, erasing, the Inpainter interface.
export {
  AugmentError, DEFAULT_ERASE_PERCENT, DEFAULT_MAE_THRESHOLD, GATE_IOU_TOP_P, IMAGENET_MEAN_RGB,
  boxIou, dilateMask, eraseImage, fillColour, gatePasses, matchDetections, numpyPercentile, pasteMasked, topPercentMask,
  type AugmentGate, type EraseFill, type Inpainter, type LabelBox, type ScoredBox,
} from './selective.js';
