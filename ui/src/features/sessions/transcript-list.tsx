import { useVirtualizer } from "@tanstack/react-virtual";
import { useEffect, useRef, useState } from "react";
import type { SegmentRow, SpeakerInfo } from "../../lib/api-types";
import { marked } from "../../lib/find";
import { clock, speaker, speakerColor } from "../../lib/format";

/** Where the list should scroll to: segment `index`, re-applied whenever `nonce` changes. */
export interface Reveal { index: number; nonce: number; center: boolean }

/** The meeting's transcript as a virtualized list (a two-hour meeting renders only the rows in view): the playing
 * segment highlighted, each time a button that plays from there, the speaker a choice, the text corrected by a
 * double-click, words of the in-meeting search marked. */
export function TranscriptList({ segments, sources, speakers, current, reveal, query, onPlay, onEdit, onReassign, empty }: {
  segments: SegmentRow[];
  sources: string[];
  speakers: SpeakerInfo[];
  current: number;
  reveal: Reveal | null;
  query: string;
  onPlay: (ms: number) => void;
  onEdit: (segmentId: number, text: string) => Promise<unknown>;
  onReassign: (segmentId: number, speaker: number) => void;
  empty: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  const [editing, setEditing] = useState<number | null>(null);
  const rows = useVirtualizer({
    count: segments.length, getScrollElement: () => box.current, estimateSize: () => 56, overscan: 8,
    getItemKey: (i) => segments[i]?.id ?? i,
  });
  useEffect(() => {
    if (reveal && reveal.index >= 0 && reveal.index < segments.length) {
      rows.scrollToIndex(reveal.index, { align: reveal.center ? "center" : "auto" });
    }
  }, [reveal, rows, segments.length]);
  return (
    <div className="transcript" ref={box} data-testid="transcript" tabIndex={0} aria-label="Transcript">
      {segments.length === 0 && <p className="empty">{empty}</p>}
      <div className="rows" style={{ height: rows.getTotalSize() }}>
        {rows.getVirtualItems().map((v) => {
          const g = segments[v.index];
          if (!g) return null;
          const who = speaker(g.source, sources);
          return (
            <div key={g.id} ref={rows.measureElement} data-index={v.index} data-segment={g.id}
              className={`segment ${v.index === current ? "current" : ""}`} style={{ transform: `translateY(${v.start}px)` }}>
              <button className="time" onClick={() => onPlay(g.start_ms)} title="Play from here">{clock(g.start_ms)}</button>
              {g.speaker !== null ? (
                <select className="who" aria-label="Speaker" value={g.speaker} style={{ color: speakerColor(g.speaker) }}
                  onChange={(e) => onReassign(g.id, Number(e.target.value))}>
                  {speakers.map((p) => <option key={p.speaker} value={p.speaker}>{p.name}</option>)}
                </select>
              ) : who ? <span className="who">{who}</span> : <span />}
              {editing === g.id ? (
                <input className="segment-edit" aria-label="Segment text" autoFocus defaultValue={g.text}
                  onKeyDown={(e) => {
                    if (e.key === "Enter") void onEdit(g.id, e.currentTarget.value).then(() => setEditing(null), () => {});
                    if (e.key === "Escape") setEditing(null);
                  }} />
              ) : (
                <span className="text" onDoubleClick={() => setEditing(g.id)} title={g.original_text ? `Original: ${g.original_text}` : "Double-click to correct"}>
                  {query.trim()
                    ? marked(g.text, query).map((p, i) => p.hit ? <mark key={i}>{p.text}</mark> : <span key={i}>{p.text}</span>)
                    : g.original_text === null && g.words.length
                      ? g.words.map((w, i) => <span key={i} className={w.low ? "low" : undefined}>{`${w.text} `}</span>)
                      : g.text}
                </span>
              )}
              <button className="ghost small" onClick={() => setEditing(g.id)} aria-label="Edit segment">Edit</button>
            </div>
          );
        })}
      </div>
    </div>
  );
}
