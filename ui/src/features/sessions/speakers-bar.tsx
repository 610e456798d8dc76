import { useState } from "react";
import type { SpeakerInfo } from "../../lib/api-types";
import { clock, speakerColor } from "../../lib/format";

// The session's speakers: rename one (for every segment at once, and the voice library learns the voice), merge
// two, or find them again. A name the voice library gave is marked, and undone in one click; a speaker nobody
// named is given a voice of the library by picking it (which teaches that voice too).
export function SpeakersBar({ speakers, busy, voices, onRename, onUnname, onMerge, onFind }: {
  speakers: SpeakerInfo[];
  busy: boolean;
  voices: string[]; // the names of the voice library
  onRename: (speaker: number, name: string) => void;
  onUnname: (speaker: number) => void;
  onMerge: (keep: number, other: number) => void;
  onFind: (count: number | null) => void;
}) {
  const [editing, setEditing] = useState<number | null>(null);
  const [count, setCount] = useState("auto");
  const taken = new Set(speakers.map((s) => s.name));
  const free = voices.filter((v) => !taken.has(v));
  return (
    <div className="speakers" data-testid="speakers">
      <span>Speakers</span>
      {speakers.map((s) => editing === s.speaker ? (
        <input key={s.speaker} className="speaker-edit" aria-label={`Name of ${s.name}`} autoFocus defaultValue={s.name}
          onKeyDown={(e) => {
            if (e.key === "Enter") { onRename(s.speaker, e.currentTarget.value); setEditing(null); }
            if (e.key === "Escape") setEditing(null);
          }}
          onBlur={(e) => { if (e.currentTarget.value !== s.name) onRename(s.speaker, e.currentTarget.value); setEditing(null); }} />
      ) : (
        <span key={s.speaker} className="speaker-chip" style={{ borderColor: speakerColor(s.speaker) }}>
          <button className="ghost small-inline" style={{ color: speakerColor(s.speaker) }} title="Rename"
            onClick={() => setEditing(s.speaker)} aria-label={`Rename ${s.name}`}>{s.name}</button>
          {s.talk_ms > 0 && <span className="muted talk" title={`${s.name} spoke for ${clock(s.talk_ms)}`}>{clock(s.talk_ms)}</span>}
          {s.recognized && <>
            <span className="muted tag" title="Named by the voice library: this voice sounded like theirs">by voice</span>
            <button className="ghost small-inline" onClick={() => onUnname(s.speaker)}
              title="Wrong person: back to Speaker N; then rename them to teach the right voice">Not {s.name}?</button>
          </>}
          {free.length > 0 && /^Speaker \d+$/.test(s.name) && (
            <select aria-label={`Who is ${s.name}?`} value="" onChange={(e) => { if (e.target.value) onRename(s.speaker, e.target.value); }}>
              <option value="">who is it…</option>
              {free.map((v) => <option key={v} value={v}>{v}</option>)}
            </select>
          )}
          {speakers.length > 1 && (
            <select aria-label={`Merge ${s.name} into`} value="" onChange={(e) => onMerge(Number(e.target.value), s.speaker)}>
              <option value="">merge into…</option>
              {speakers.filter((o) => o.speaker !== s.speaker).map((o) => <option key={o.speaker} value={o.speaker}>{o.name}</option>)}
            </select>
          )}
        </span>
      ))}
      <span className="spacer" />
      <select aria-label="Number of speakers" value={count} onChange={(e) => setCount(e.target.value)}>
        <option value="auto">Any number</option>
        {[1, 2, 3, 4, 5, 6, 7, 8].map((n) => <option key={n} value={n}>{n} speaker{n > 1 ? "s" : ""}</option>)}
      </select>
      <button disabled={busy} onClick={() => onFind(count === "auto" ? null : Number(count))}>
        {busy ? "Finding speakers…" : speakers.length ? "Find speakers again" : "Find speakers"}
      </button>
    </div>
  );
}
