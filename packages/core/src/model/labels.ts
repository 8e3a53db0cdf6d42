// Class labels: one per line; ImageNet synset lines ("n02123159 tiger cat, ...") become their first name.
export function parseLabels(text: string): string[] {
  return text
    .split(/\r?\n/)
    .filter((l, i, all) => l.trim() !== '' || i < all.length - 1)
    .map((l) => l.trim().replace(/^n\d{8}\s+/, '').split(',')[0].trim());
}
