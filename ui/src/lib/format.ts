export function clock(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mm = String(m).padStart(h ? 2 : 1, "0");
  return h ? `${h}:${mm}:${String(s).padStart(2, "0")}` : `${mm}:${String(s).padStart(2, "0")}`;
}

export function meterWidth(db: number): number {
  // -60 dBFS and below is empty, 0 dBFS is full.
  return Math.round(Math.min(1, Math.max(0, (db + 60) / 60)) * 100);
}

export function bytes(n: number): string {
  if (n < 1e6) return `${Math.round(n / 1e3)} kB`;
  if (n < 1e9) return `${(n / 1e6).toFixed(1)} MB`;
  return `${(n / 1e9).toFixed(2)} GB`;
}

export function dateTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

export function speaker(source: string, sources: string[]): string {
  if (sources.length < 2) return "";
  // A live recording's two sides, or the two channels of an imported stereo call.
  const names: Record<string, string> = { mic: "Me", system: "Them", left: "Left", right: "Right" };
  return names[source] ?? source;
}

// Speaker colors: the same number always gets the same hue, distinct for the first eight.
export function speakerColor(n: number): string {
  // lightness from the theme (styles.css --speaker-l): readable on the page's background in light and dark
  return `hsl(${(n * 137 + 210) % 360} 65% var(--speaker-l))`;
}

export function snippetParts(snippet: string): { text: string; hit: boolean }[] {
  // The backend marks hits as [word]; split into plain and highlighted parts (no HTML from the server).
  return snippet.split(/(\[[^\]]*\])/).filter(Boolean).map((p) =>
    p.startsWith("[") && p.endsWith("]") ? { text: p.slice(1, -1), hit: true } : { text: p, hit: false });
}

/** A day as a heading of the library: "Today", "Yesterday" or the date. */
export function day(iso: string, now: Date = new Date()): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const start = (x: Date) => new Date(x.getFullYear(), x.getMonth(), x.getDate()).getTime();
  const ago = Math.round((start(now) - start(d)) / 86_400_000);
  if (ago === 0) return "Today";
  if (ago === 1) return "Yesterday";
  return d.toLocaleDateString(undefined, { weekday: "long", day: "numeric", month: "long", year: "numeric" });
}
