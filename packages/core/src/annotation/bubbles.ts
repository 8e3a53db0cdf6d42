// BubbleView's geometry (Kim et al., "BubbleView: an interface for crowdsourcing image importance maps
// and tracking visual attention", ACM TOCHI 2017): the image is shown blurred and each click reveals a
// sharp disc. The study used a bubble radius of 32 px and a blur sigma of 40 px on images about 600 px
// wide; both scale with the image's width so that a bubble covers the same share of any image.
// Shared by the widget (drawing) and the API (the session it hands out), in image pixels.

/** BubbleView's published settings: radius and blur sigma in px, for images `width` px wide. */
export const BUBBLEVIEW = Object.freeze({ radius: 32, blurSigma: 40, width: 600 });

export interface BubbleGeometry {
  /** Radius of a revealed disc, in image pixels. */
  radius: number;
  /** Gaussian blur sigma of the hidden image, in image pixels. */
  blurSigma: number;
}

/** BubbleView's radius and blur scaled to an image of width × height pixels (by its width). */
export function bubbleGeometry(width: number, height: number): BubbleGeometry {
  if (!(Number.isFinite(width) && Number.isFinite(height) && width > 0 && height > 0)) {
    throw new RangeError(`bubbleGeometry needs a positive image size, not ${width}×${height}`);
  }
  const scale = width / BUBBLEVIEW.width;
  return { radius: BUBBLEVIEW.radius * scale, blurSigma: BUBBLEVIEW.blurSigma * scale };
}
