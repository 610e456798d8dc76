import { describe, expect, it } from "vitest";
import type { ChunkTranscribedEvent, SegmentRow, ServerEvent, SessionDetail } from "./api-types";
import { empty, reduce } from "./transcript";

const started: ServerEvent = { type: "session_started", session_id: "s", title: "t", sources: ["mic"] };
const partial = (start: number, text: string): ServerEvent =>
  ({ type: "partial_transcript", session_id: "s", source: "mic", start_ms: start, end_ms: start + 900, text });
const segment = (chunk: number, start: number, end: number, text: string): SegmentRow =>
  ({ id: chunk * 10, session_id: "s", chunk_id: chunk, start_ms: start, end_ms: end, text, source: "mic",
    confidence: 0.9, original_text: null, words: [], speaker: null });
const final = (chunk: number, start: number, end: number, text: string, replaced: number[] = []): ChunkTranscribedEvent =>
  ({ type: "chunk_transcribed", session_id: "s", chunk_id: chunk, source: "mic", start_ms: start, end_ms: end,
    segments: [segment(chunk, start, end, text)], replaced_chunk_ids: replaced, note: null });
const detail = (segments: SegmentRow[]): SessionDetail =>
  ({ id: "s", title: "t", created_at: "2026-11-24T10:00:00Z", ended_at: null, duration_ms: 0, status: "recording",
    stored_status: "recording", kind: "recording", sources: ["mic"], language: "en", model: null, error: null,
    chunks: 1, pending_chunks: 0, failed_chunks: 0, people: [], notes_line: "", notes_state: null, finding_speakers: false, segments, chunk_list: [], speakers: [],
    memo: { session_id: "s", text: "", updated_at: null } });

describe("live transcript", () => {
  it("labels finished lines with the live speakers and renames a speaker everywhere once known", () => {
    let s = reduce(empty, started);
    s = reduce(s, final(1, 1000, 3000, "Good morning everyone"));
    s = reduce(s, final(2, 3500, 6000, "Morning, shall we start"));
    s = reduce(s, { type: "speakers_live", session_id: "s", chunk_id: 1, source: "mic",
      labels: [{ segment_id: 10, start_ms: 1000, speaker: 0, name: "Speaker 1" }] });
    s = reduce(s, { type: "speakers_live", session_id: "s", chunk_id: 2, source: "mic",
      labels: [{ segment_id: 20, start_ms: 3500, speaker: 1, name: "Speaker 2" }] });
    expect(s.lines.map((l) => l.who)).toEqual(["Speaker 1", "Speaker 2"]);
    s = reduce(s, final(3, 6500, 8000, "Yes, the budget first"));
    s = reduce(s, { type: "speakers_live", session_id: "s", chunk_id: 3, source: "mic",
      labels: [{ segment_id: 30, start_ms: 6500, speaker: 0, name: "Anna" }] });  // the voice library knew her
    expect(s.lines.map((l) => l.who)).toEqual(["Anna", "Speaker 2", "Anna"]);
    const other = reduce(s, { type: "speakers_live", session_id: "x", chunk_id: 3, source: "mic", labels: [] });
    expect(other).toBe(s);
  });

  it("says why speech gave no words instead of dropping it silently", () => {
    let s = reduce(empty, started);
    s = reduce(s, partial(1000, "uh"));
    s = reduce(s, { type: "chunk_transcribed", session_id: "s", chunk_id: 7, source: "mic", start_ms: 1000,
      end_ms: 2000, segments: [], replaced_chunk_ids: [], note: "speech was heard but no words were recognized" });
    expect(s.lines.map((l) => [l.text, l.partial, l.note])).toEqual(
      [["speech was heard but no words were recognized", false, true]]);
  });

  it("shows a partial, updates it, then replaces it with the final text", () => {
    let s = reduce(empty, started);
    s = reduce(s, partial(1000, "and so"));
    s = reduce(s, partial(1000, "and so my fellow"));
    expect(s.lines.map((l) => [l.text, l.partial])).toEqual([["and so my fellow", true]]);
    s = reduce(s, final(1, 1000, 3000, "And so my fellow Americans"));
    expect(s.lines.map((l) => [l.text, l.partial])).toEqual([["And so my fellow Americans", false]]);
  });

  it("keeps lines in time order and leaves other chunks' partials alone", () => {
    let s = reduce(empty, started);
    s = reduce(s, partial(5000, "ask not"));
    s = reduce(s, final(1, 1000, 3000, "first"));
    expect(s.lines.map((l) => l.text)).toEqual(["first", "ask not"]);
  });

  it("a window that replaces several chunks removes their lines", () => {
    let s = reduce(empty, started);
    s = reduce(s, final(1, 0, 1000, "a"));
    s = reduce(s, final(2, 1200, 2000, "b"));
    s = reduce(s, final(9, 0, 2000, "a b together", [1, 2]));
    expect(s.lines.map((l) => l.text)).toEqual(["a b together"]);
  });

  it("ignores other sessions and starts over from a snapshot", () => {
    let s = reduce(reduce(empty, started), partial(0, "x"));
    s = reduce(s, { ...final(3, 0, 500, "other"), session_id: "other" });
    expect(s.lines).toHaveLength(1);
    s = reduce(s, { type: "snapshot", state: "recording", jobs: [], recording: detail([segment(1, 0, 900, "stored")]) });
    expect(s.lines.map((l) => [l.text, l.partial])).toEqual([["stored", false]]);
  });
});
