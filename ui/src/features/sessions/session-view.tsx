import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useRef, useState } from "react";
import { errorText, useToast } from "../../components/toast";
import { EXPORT_FORMATS, type ExportFormat, LANGUAGES, type SessionDetail } from "../../lib/api-types";
import { call, fileUrl, isDesktop } from "../../lib/bridge";
import { clock, dateTime, speaker, speakerColor } from "../../lib/format";
import { go } from "../../lib/router";
import { useEvents } from "../../lib/use-events";
import { MemoEditor } from "../../components/memo-editor";
import { SpeakersBar } from "./speakers-bar";
import { AskBox } from "../../components/ask-box";
import { SummaryPanel } from "./summary-panel";

export function SessionView({ id, seekMs }: { id: string; seekMs?: number }) {
  const toast = useToast();
  // Desktop: the system's save dialog; the browser downloads instead.
  const saveAs = async (format: ExportFormat) => {
    try {
      const saved = await call("dialog.save_export", { session_id: id, format });
      if (saved.path) toast(`Saved ${saved.path}`);
    } catch (e) {
      toast(errorText(e));
    }
  };
  const queries = useQueryClient();
  const session = useQuery({ queryKey: ["session", id], queryFn: () => call("sessions.get", { session_id: id }) });
  const models = useQuery({ queryKey: ["models"], queryFn: () => call("models.list") });
  const audio = useRef<HTMLAudioElement>(null);
  const [now, setNow] = useState(0);
  const [editing, setEditing] = useState<number | null>(null);
  const [title, setTitle] = useState<string | null>(null);
  const [redoModel, setRedoModel] = useState("");
  const [redoLanguage, setRedoLanguage] = useState("");
  const [finding, setFinding] = useState(false);

  useEvents(useCallback((e) => {
    if ((e.type === "chunk_transcribed" || e.type === "session_updated" || e.type === "diarization_updated") && e.session_id === id) {
      void queries.invalidateQueries({ queryKey: ["session", id] });
    }
    if (e.type === "diarization_updated" && e.session_id === id) {
      setFinding(e.state === "queued" || e.state === "running");
      if (e.state === "failed") toast(`Speakers could not be found: ${e.error ?? "unknown error"}`);
    }
  }, [id, queries, toast]));

  const playFrom = useCallback((ms: number) => {
    if (audio.current) { audio.current.currentTime = ms / 1000; void audio.current.play().catch(() => {}); }
  }, []);

  useEffect(() => {
    if (seekMs !== undefined && audio.current) audio.current.currentTime = seekMs / 1000;
  }, [seekMs, session.data]);

  const edit = useMutation({
    mutationFn: (p: { segment_id: number; text: string }) => call("segments.edit", p),
    onSuccess: () => { setEditing(null); void queries.invalidateQueries({ queryKey: ["session", id] }); },
    onError: (e) => toast(errorText(e)),
  });
  const rename = useMutation({
    mutationFn: (t: string) => call("sessions.rename", { session_id: id, title: t }),
    onSuccess: () => { setTitle(null); void queries.invalidateQueries({ queryKey: ["session", id] }); },
    onError: (e) => toast(errorText(e)),
  });
  const redo = useMutation({
    mutationFn: (p: { chunk_ids?: number[] }) => call("sessions.retranscribe",
      { session_id: id, model: redoModel || null, language: redoLanguage || null, ...p }),
    onSuccess: () => toast("Re-transcription queued; the current text stays until it is done.", "info"),
    onError: (e) => toast(errorText(e)),
  });
  const refresh = (fresh: SessionDetail) => queries.setQueryData(["session", id], fresh);
  const renameSpeaker = useMutation({
    mutationFn: (p: { speaker: number; name: string }) => call("speakers.rename", { session_id: id, ...p }),
    onSuccess: refresh, onError: (e) => toast(errorText(e)),
  });
  const unnameSpeaker = useMutation({
    mutationFn: (speaker: number) => call("speakers.unname", { session_id: id, speaker }),
    onSuccess: refresh, onError: (e) => toast(errorText(e)),
  });
  const mergeSpeakers = useMutation({
    mutationFn: (p: { keep: number; other: number }) => call("speakers.merge", { session_id: id, ...p }),
    onSuccess: refresh, onError: (e) => toast(errorText(e)),
  });
  const reassign = useMutation({
    mutationFn: (p: { segment_id: number; speaker: number }) => call("segments.set_speaker", p),
    onSuccess: refresh, onError: (e) => toast(errorText(e)),
  });
  const findSpeakers = useMutation({
    mutationFn: (speakers: number | null) => call("sessions.diarize", { session_id: id, speakers }),
    onSuccess: () => setFinding(true), onError: (e) => toast(errorText(e)),
  });
  const remove = useMutation({
    mutationFn: () => call("sessions.delete", { session_id: id }),
    onSuccess: () => { void queries.invalidateQueries({ queryKey: ["sessions"] }); go("/sessions"); },
    onError: (e) => toast(errorText(e)),
  });

  if (session.isLoading) return <section className="page"><p className="empty">Loading…</p></section>;
  if (session.error || !session.data) {
    return <section className="page"><p className="banner error">{errorText(session.error)}</p></section>;
  }
  const s = session.data;
  const { segments, sources } = s;
  const current = segments.find((g) => g.start_ms <= now && now < g.end_ms)?.id;
  return (
    <section className="page session">
      <header className="page-head">
        {title === null ? (
          <h1 onDoubleClick={() => setTitle(s.title)} title="Double-click to rename">{s.title}</h1>
        ) : (
          <input className="title-edit" aria-label="Title" autoFocus value={title} onChange={(e) => setTitle(e.target.value)}
            onKeyDown={(e) => { if (e.key === "Enter") rename.mutate(title); if (e.key === "Escape") setTitle(null); }}
            onBlur={() => rename.mutate(title)} />
        )}
        <div className="actions">
          <button className="ghost" onClick={() => setTitle(s.title)}>Rename</button>
          <button className="ghost danger" onClick={() => { if (window.confirm("Delete this session and its audio?")) remove.mutate(); }}>
            Delete
          </button>
        </div>
      </header>
      <p className="muted">
        {dateTime(s.created_at)} · {clock(s.duration_ms)} · <span className={`status ${s.status}`}>{s.status}</span>
        {s.language ? ` · ${s.language}` : ""}
      </p>
      <div className="player">
        <audio ref={audio} controls preload="metadata" src={fileUrl(`/api/sessions/${id}/audio`)}
          onTimeUpdate={(e) => setNow(e.currentTarget.currentTime * 1000)} data-testid="player" />
        <label>Speed
          <select defaultValue="1" onChange={(e) => { if (audio.current) audio.current.playbackRate = Number(e.target.value); }}>
            {["0.75", "1", "1.25", "1.5", "2"].map((r) => <option key={r} value={r}>{r}×</option>)}
          </select>
        </label>
      </div>
      <div className="toolbar">
        <span>Export</span>
        {EXPORT_FORMATS.map((f) => isDesktop() ? (
          <button key={f} className="button ghost" onClick={() => void saveAs(f)}>{f.toUpperCase()}</button>
        ) : (
          <a key={f} className="button ghost" href={fileUrl(`/api/sessions/${id}/export?format=${f}`)} download>{f.toUpperCase()}</a>
        ))}
        <span className="spacer" />
        <select aria-label="Model for re-transcription" value={redoModel} onChange={(e) => setRedoModel(e.target.value)}>
          <option value="">Same model</option>
          {(models.data ?? []).map((m) => <option key={m.name} value={m.name}>{m.name}</option>)}
        </select>
        <select aria-label="Language for re-transcription" value={redoLanguage} onChange={(e) => setRedoLanguage(e.target.value)}>
          <option value="">Same language</option>
          {["auto", ...LANGUAGES].map((l) => <option key={l} value={l}>{l === "auto" ? "Detect" : l}</option>)}
        </select>
        <button onClick={() => redo.mutate({})}>Re-transcribe all</button>
      </div>
      <MemoEditor key={s.id} sessionId={s.id} initial={s.memo.text} />
      <SummaryPanel key={`summary-${s.id}`} sessionId={s.id} onPlay={playFrom} />
      <AskBox key={`ask-${s.id}`} sessionId={s.id} onPlay={playFrom} />
      <SpeakersBar speakers={s.speakers} busy={finding || findSpeakers.isPending}
        onRename={(speaker, name) => renameSpeaker.mutate({ speaker, name })}
        onUnname={(speaker) => unnameSpeaker.mutate(speaker)}
        onMerge={(keep, other) => mergeSpeakers.mutate({ keep, other })}
        onFind={(n) => findSpeakers.mutate(n)} />
      <div className="transcript" data-testid="transcript">
        {segments.length === 0 && <p className="empty">{s.pending_chunks ? "Transcribing…" : "No speech was found."}</p>}
        {segments.map((g) => (
          <div key={g.id} className={`segment ${g.id === current ? "current" : ""}`} data-segment={g.id}>
            <button className="time" onClick={() => { if (audio.current) { audio.current.currentTime = g.start_ms / 1000; void audio.current.play().catch(() => {}); } }}>
              {clock(g.start_ms)}
            </button>
            {g.speaker !== null ? (
              <select className="who" aria-label="Speaker" value={g.speaker} style={{ color: speakerColor(g.speaker) }}
                onChange={(e) => reassign.mutate({ segment_id: g.id, speaker: Number(e.target.value) })}>
                {s.speakers.map((p) => <option key={p.speaker} value={p.speaker}>{p.name}</option>)}
              </select>
            ) : speaker(g.source, sources) ? <span className="who">{speaker(g.source, sources)}</span> : <span />}
            {editing === g.id ? (
              <input className="segment-edit" aria-label="Segment text" autoFocus defaultValue={g.text}
                onKeyDown={(e) => {
                  if (e.key === "Enter") edit.mutate({ segment_id: g.id, text: e.currentTarget.value });
                  if (e.key === "Escape") setEditing(null);
                }} />
            ) : (
              <span className="text" onDoubleClick={() => setEditing(g.id)} title={g.original_text ? `Original: ${g.original_text}` : "Double-click to correct"}>
                {g.original_text === null && g.words.length ? g.words.map((w, i) => <span key={i} className={w.low ? "low" : undefined}>{`${w.text} `}</span>) : g.text}
              </span>
            )}
            <button className="ghost small" onClick={() => setEditing(g.id)} aria-label="Edit segment">Edit</button>
          </div>
        ))}
      </div>
    </section>
  );
}
