/** Search within one meeting: which segments hold every word typed (case and accents ignored), and the text of a
 * segment cut into plain parts and the parts that match, for highlighting. */

function fold(text: string): string {
  return text.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
}

export function words(query: string): string[] {
  return fold(query).split(/\s+/).filter(Boolean);
}

/** Indices of the texts that contain every word of `query` (none for an empty query). */
export function matches(texts: string[], query: string): number[] {
  const wanted = words(query);
  if (!wanted.length) return [];
  const out: number[] = [];
  texts.forEach((t, i) => { const f = fold(t); if (wanted.every((w) => f.includes(w))) out.push(i); });
  return out;
}

/** `text` cut at each occurrence of a query word: [{text, hit}], in order, joined back it is `text`. Folding keeps
 * the length of text whose accents are combining marks; where it would not, the text is returned unmarked. */
export function marked(text: string, query: string): { text: string; hit: boolean }[] {
  const wanted = words(query);
  const f = fold(text);
  if (!wanted.length || f.length !== text.length) return [{ text, hit: false }];
  const hit = new Array<boolean>(text.length).fill(false);
  for (const w of wanted) {
    for (let at = f.indexOf(w); at >= 0; at = f.indexOf(w, at + 1)) hit.fill(true, at, at + w.length);
  }
  const parts: { text: string; hit: boolean }[] = [];
  for (let i = 0; i < text.length; i++) {
    const last = parts[parts.length - 1];
    if (last && last.hit === hit[i]) last.text += text[i];
    else parts.push({ text: text[i] ?? "", hit: hit[i] ?? false });
  }
  return parts;
}

/** The segment playing at `ms`: the last one that starts at or before it (a gap keeps the one before), or -1. */
export function playing(starts: number[], ms: number): number {
  let lo = 0, hi = starts.length - 1, found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((starts[mid] ?? 0) <= ms) { found = mid; lo = mid + 1; } else hi = mid - 1;
  }
  return found;
}
