import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { errorText, useToast } from "../../components/toast";
import type { ExportFormat, SessionDetail } from "../../lib/api-types";
import { call, fileUrl } from "../../lib/bridge";
import { matches, playing } from "../../lib/find";
import { clock, dateTime } from "../../lib/format";
import { go } from "../../lib/router";
import { useEvents } from "../../lib/use-events";
import { MemoEditor } from "../../components/memo-editor";
import { AskBox } from "../../components/ask-box";
import { SessionMenu } from "./session-menu";
import { SpeakersBar } from "./speakers-bar";
import { SummaryPanel } from "./summary-panel";
import { type Reveal, TranscriptList } from "./transcript-list";
import { usePlayerKeys } from "./use-player-keys";

/** A meeting, notes first: the notes, the user's memo and questions in one pane, the transcript (following the
 * playback) in the other; on a small window the two are tabs. */
export function SessionView({ id, seekMs }: { id: string; seekMs?: number }) {
  const toast = useToast();
  const queries = useQueryClient();
  const session = useQuery({ queryKey: ["session", id], queryFn: () => call("sessions.get", { session_id: id }) });
  const models = useQuery({ queryKey: ["models"], queryFn: () => call("models.list") });
  const audio = useRef<HTMLAudioElement>(null);
  const search = useRef<HTMLInputElement>(null);
  const [now, setNow] = useState(0);
  const [title, setTitle] = useState<string | null>(null);
  const [finding, setFinding] = useState(false);
  const [tab, setTab] = useState<"notes" | "transcript">("notes");
  const [query, setQuery] = useState("");
  const [hit, setHit] = useState(0);
  const [reveal, setReveal] = useState<Reveal | null>(null);
  usePlayerKeys(audio, search);

  useEvents(useCallback((e) => {
    if ((e.type === "chunk_transcribed" || e.type === "session_updated" || e.type === "diarization_updated") && e.session_id === id) {
      void queries.invalidateQueries({ queryKey: ["session", id] });
    }
    if (e.type === "diarization_updated" && e.session_id === id) {
      setFinding(e.state === "queued" || e.state === "running");
      if (e.state === "failed") toast(`Speakers could not be found: ${e.error ?? "unknown error"}`);
    }
  }, [id, queries, toast]));

  const segments = useMemo(() => session.data?.segments ?? [], [session.data]);
  const starts = useMemo(() => segments.map((g) => g.start_ms), [segments]);
  const found = useMemo(() => matches(segments.map((g) => g.text), query), [segments, query]);
  const current = playing(starts, now);
  const show = useCallback((index: number, center: boolean) => setReveal((r) => ({ index, center, nonce: (r?.nonce ?? 0) + 1 })), []);

  const playFrom = useCallback((ms: number) => {
    setTab("transcript");
    if (audio.current) { audio.current.currentTime = ms / 1000; void audio.current.play().catch(() => {}); }
    show(playing(starts, ms), true);
  }, [starts, show]);

  useEffect(() => { // the playing segment is kept in view while the meeting plays
    if (audio.current && !audio.current.paused && current >= 0) show(current, false);
  }, [current, show]);

  useEffect(() => { // opened at a time (a search hit, a source of an answer): the player and the list are there
    if (seekMs === undefined || !session.data) return;
    if (audio.current) audio.current.currentTime = seekMs / 1000;
    setTab("transcript");
    show(playing(starts, seekMs), true);
  }, [seekMs, session.data, starts, show]);

  useEffect(() => { if (found.length) show(found[Math.min(hit, found.length - 1)] ?? 0, true); }, [found, hit, show]);

  const refresh = (fresh: SessionDetail) => queries.setQueryData(["session", id], fresh);
  const fail = (e: Error) => toast(errorText(e));
  const edit = useMutation({ mutationFn: (p: { segment_id: number; text: string }) => call("segments.edit", p),
    onSuccess: () => void queries.invalidateQueries({ queryKey: ["session", id] }), onError: fail });
  const rename = useMutation({ mutationFn: (t: string) => call("sessions.rename", { session_id: id, title: t }),
    onSuccess: (fresh) => { setTitle(null); refresh(fresh); }, onError: fail });
  const redo = useMutation({
    mutationFn: (p: { model: string; language: string }) => call("sessions.retranscribe",
      { session_id: id, model: p.model || null, language: p.language || null }),
    onSuccess: () => toast("Re-transcription queued; the current text stays until it is done.", "info"), onError: fail,
  });
  const voices = useQuery({ queryKey: ["voices"], queryFn: () => call("voices.list") });
  const renameSpeaker = useMutation({
    mutationFn: (p: { speaker: number; name: string }) => call("speakers.rename", { session_id: id, ...p }),
    onSuccess: (fresh) => { refresh(fresh); void queries.invalidateQueries({ queryKey: ["voices"] }); }, onError: fail,
  });
  const unnameSpeaker = useMutation({ mutationFn: (speaker: number) => call("speakers.unname", { session_id: id, speaker }), onSuccess: refresh, onError: fail });
  const mergeSpeakers = useMutation({ mutationFn: (p: { keep: number; other: number }) => call("speakers.merge", { session_id: id, ...p }), onSuccess: refresh, onError: fail });
  const reassign = useMutation({ mutationFn: (p: { segment_id: number; speaker: number }) => call("segments.set_speaker", p), onSuccess: refresh, onError: fail });
  const findSpeakers = useMutation({ mutationFn: (speakers: number | null) => call("sessions.diarize", { session_id: id, speakers }), onSuccess: () => setFinding(true), onError: fail });
  const remove = useMutation({
    mutationFn: () => call("sessions.delete", { session_id: id }),
    onSuccess: () => { void queries.invalidateQueries({ queryKey: ["sessions"] }); go("/sessions"); }, onError: fail,
  });
  const saveAs = async (format: ExportFormat) => { // desktop: the system's save dialog
    try {
      const saved = await call("dialog.save_export", { session_id: id, format });
      if (saved.path) toast(`Saved ${saved.path}`);
    } catch (e) { toast(errorText(e)); }
  };

  if (session.isLoading) return <section className="page"><p className="empty">Loading…</p></section>;
  if (session.error || !session.data) return <section className="page"><p className="banner error">{errorText(session.error)}</p></section>;
  const s = session.data;
  return (
    <section className="page session">
      <header className="page-head">
        <div className="title-block">
          {title === null ? (
            <h1 onDoubleClick={() => setTitle(s.title)} title="Double-click to rename">{s.title}</h1>
          ) : (
            <input className="title-edit" aria-label="Title" autoFocus value={title} onChange={(e) => setTitle(e.target.value)}
              onKeyDown={(e) => { if (e.key === "Enter") rename.mutate(title); if (e.key === "Escape") setTitle(null); }}
              onBlur={() => rename.mutate(title)} />
          )}
          <p className="muted">
            {dateTime(s.created_at)} · {clock(s.duration_ms)} · <span className={`status ${s.status}`}>{s.status}</span>
            {s.language ? ` · ${s.language}` : ""}
          </p>
        </div>
        <SessionMenu id={id} models={models.data ?? []} onSave={(f) => void saveAs(f)} onRedo={(model, language) => redo.mutate({ model, language })}
          onRename={() => setTitle(s.title)}
          onDelete={() => { if (window.confirm("Delete this session and its audio?")) remove.mutate(); }} />
      </header>
      <div className="player">
        <audio ref={audio} controls preload="metadata" src={fileUrl(`/api/sessions/${id}/audio`)} aria-label="Recording"
          onTimeUpdate={(e) => setNow(e.currentTarget.currentTime * 1000)} data-testid="player" />
        <label>Speed
          <select defaultValue="1" onChange={(e) => { if (audio.current) audio.current.playbackRate = Number(e.target.value); }}>
            {["0.75", "1", "1.25", "1.5", "2"].map((r) => <option key={r} value={r}>{r}×</option>)}
          </select>
        </label>
        <span className="muted keys" title="Keyboard">Space play · ← → 5 s · / search</span>
      </div>
      <div className="tabs" role="tablist" aria-label="Meeting">
        <button role="tab" aria-selected={tab === "notes"} onClick={() => setTab("notes")}>Notes</button>
        <button role="tab" aria-selected={tab === "transcript"} onClick={() => setTab("transcript")}>Transcript</button>
      </div>
      <div className="panes" data-tab={tab}>
        <div className="pane notes-pane" aria-label="Meeting notes, memo and questions" role="region">
          <SummaryPanel key={`summary-${s.id}`} sessionId={s.id} onPlay={playFrom} />
          <MemoEditor key={s.id} sessionId={s.id} initial={s.memo.text} />
          <AskBox key={`ask-${s.id}`} sessionId={s.id} onPlay={playFrom} />
        </div>
        <div className="pane transcript-pane" aria-label="Transcript of the meeting" role="region">
          <SpeakersBar speakers={s.speakers} busy={finding || findSpeakers.isPending} voices={(voices.data ?? []).map((v) => v.name)}
            onRename={(speaker, name) => renameSpeaker.mutate({ speaker, name })}
            onUnname={(speaker) => unnameSpeaker.mutate(speaker)}
            onMerge={(keep, other) => mergeSpeakers.mutate({ keep, other })}
            onFind={(n) => findSpeakers.mutate(n)} />
          <div className="find">
            <input ref={search} type="search" aria-label="Search in this meeting" placeholder="Search in this meeting ( / )" value={query}
              onChange={(e) => { setQuery(e.target.value); setHit(0); }}
              onKeyDown={(e) => {
                if (e.key === "Enter" && found.length) setHit((h) => (h + (e.shiftKey ? found.length - 1 : 1)) % found.length);
                if (e.key === "Escape") { setQuery(""); e.currentTarget.blur(); }
              }} />
            {query.trim() && <span className="muted" aria-live="polite">{found.length ? `${Math.min(hit, found.length - 1) + 1} of ${found.length}` : "not said"}</span>}
          </div>
          <TranscriptList segments={segments} sources={s.sources} speakers={s.speakers} current={current} reveal={reveal} query={query}
            onPlay={playFrom} onEdit={(segment_id, text) => edit.mutateAsync({ segment_id, text })}
            onReassign={(segment_id, speaker) => reassign.mutate({ segment_id, speaker })}
            empty={s.pending_chunks ? "Transcribing…" : "No speech was found."} />
        </div>
      </div>
    </section>
  );
}
