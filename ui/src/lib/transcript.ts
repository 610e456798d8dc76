// The live transcript as pure state: partials are replaced by the final text of the chunk that starts
// at the same time; a snapshot (after a reconnect) starts over from the stored transcript.
import type { SegmentRow, ServerEvent, Word } from "./api-types";

export interface Line {
  key: string;
  chunkId: number | null;
  source: string;
  startMs: number;
  endMs: number;
  text: string;
  words: Word[];
  partial: boolean;
  note?: boolean; // speech was heard but gave no words: the text says why
  speaker?: number; // who said it: a first guess while recording (speakers_live)
  who?: string; // that speaker's name
}
export interface Transcript {
  sessionId: string | null;
  lines: Line[];
}

export const empty: Transcript = { sessionId: null, lines: [] };

function sorted(lines: Line[]): Line[] {
  return [...lines].sort((a, b) => a.startMs - b.startMs || a.source.localeCompare(b.source));
}

export function fromSegments(sessionId: string, segments: SegmentRow[]): Transcript {
  return {
    sessionId,
    lines: sorted(
      segments.map((s, i) => ({
        key: `f-${s.chunk_id}-${i}`, chunkId: s.chunk_id, source: s.source, startMs: s.start_ms,
        endMs: s.end_ms, text: s.text, words: s.words, partial: false,
        ...(s.speaker === null ? {} : { speaker: s.speaker, who: `Speaker ${s.speaker + 1}` }),
      })),
    ),
  };
}

export function reduce(state: Transcript, event: ServerEvent): Transcript {
  switch (event.type) {
    case "snapshot": {
      const rec = event.recording;
      return rec ? fromSegments(rec.id, rec.segments) : state;
    }
    case "session_started":
      return { sessionId: event.session_id, lines: [] };
    case "partial_transcript": {
      if (event.session_id !== state.sessionId) return state;
      const key = `p-${event.source}-${event.start_ms}`;
      const line: Line = { key, chunkId: null, source: event.source, startMs: event.start_ms, endMs: event.end_ms,
        text: event.text, words: [], partial: true };
      return { ...state, lines: sorted([...state.lines.filter((l) => l.key !== key), line]) };
    }
    case "chunk_transcribed": {
      if (event.session_id !== state.sessionId) return state;
      const gone = new Set([event.chunk_id, ...event.replaced_chunk_ids]);
      const kept = state.lines.filter(
        (l) => !(l.chunkId !== null && gone.has(l.chunkId)) &&
          !(l.partial && l.source === event.source && l.startMs >= event.start_ms && l.startMs < event.end_ms),
      );
      const finals = event.segments.map((s, i) => ({
        key: `f-${event.chunk_id}-${i}`, chunkId: event.chunk_id, source: event.source, startMs: s.start_ms,
        endMs: s.end_ms, text: s.text, words: s.words, partial: false,
      }));
      const notes: Line[] = finals.length === 0 && event.note
        ? [{ key: `n-${event.chunk_id}`, chunkId: event.chunk_id, source: event.source, startMs: event.start_ms,
          endMs: event.end_ms, text: event.note, words: [], partial: false, note: true }]
        : [];
      return { ...state, lines: sorted([...kept, ...finals, ...notes]) };
    }
    case "speakers_live": {
      if (event.session_id !== state.sessionId) return state;
      const names = new Map(event.labels.map((l) => [l.speaker, l.name]));
      const lines = state.lines.map((line) => {
        if (line.source !== event.source) return line;
        const label = line.chunkId === event.chunk_id ? event.labels.find((l) => l.start_ms === line.startMs) : undefined;
        const speaker = label ? label.speaker : line.speaker;
        const who = speaker === undefined ? undefined : names.get(speaker) ?? line.who;
        return speaker === line.speaker && who === line.who ? line : { ...line, speaker, who };
      });
      return { ...state, lines };
    }
    default:
      return state;
  }
}
