// WebGPU availability: an adapter from navigator.gpu (absent, or null without a usable GPU).

interface GpuLike {
  requestAdapter(): Promise<{
    readonly isFallbackAdapter?: boolean;
    readonly info?: { description?: string; vendor?: string; isFallbackAdapter?: boolean };
  } | null>;
}

let adapter: Promise<string | null> | undefined;

/** A short description of the WebGPU adapter, or null when the browser offers none. Asked once per page. */
export function webgpuAdapter(): Promise<string | null> {
  adapter ??= (async () => {
    const gpu = (navigator as Navigator & { gpu?: GpuLike }).gpu;
    if (!gpu) return null;
    try {
      const a = await gpu.requestAdapter();
      if (!a) return null;
      const name = a.info?.description || a.info?.vendor || 'WebGPU adapter';
      return (a.info?.isFallbackAdapter ?? a.isFallbackAdapter) ? `${name} (software fallback)` : name;
    } catch {
      return null;
    }
  })();
  return adapter;
}
