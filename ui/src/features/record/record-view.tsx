import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useReducer, useRef, useState } from "react";
import { errorText, useToast } from "../../components/toast";
import { LANGUAGES, type Level, type ServerEvent } from "../../lib/api-types";
import { call } from "../../lib/bridge";
import { clock, meterWidth, speaker } from "../../lib/format";
import { empty, reduce } from "../../lib/transcript";
import { useEvents } from "../../lib/use-events";
import { MemoEditor } from "../../components/memo-editor";

type Levels = Record<string, Level>;

export function RecordView() {
  const toast = useToast();
  const queries = useQueryClient();
  const devices = useQuery({ queryKey: ["devices"], queryFn: () => call("devices.list") });
  const models = useQuery({ queryKey: ["models"], queryFn: () => call("models.list") });
  const [mic, setMic] = useState("default");
  const [system, setSystem] = useState("");
  const [language, setLanguage] = useState("en");
  const [model, setModel] = useState("");
  const [recordOnly, setRecordOnly] = useState(false);
  const [busy, setBusy] = useState(false);
  const [recording, setRecording] = useState<{ id: string; sources: string[] } | null>(null);
  const [elapsed, setElapsed] = useState(0);
  const [levels, setLevels] = useState<Levels>({});
  const [history, setHistory] = useState<number[]>([]);
  const [vocabulary, setVocabulary] = useState("");
  const [warnings, setWarnings] = useState<{ code: string; message: string }[]>([]);
  const [transcript, dispatch] = useReducer(reduce, empty);
  const settings = useQuery({ queryKey: ["settings"], queryFn: () => call("settings.get") });
  useEffect(() => { // the sources chosen in the first run or in Settings
    const value = (name: string) => settings.data?.find((s) => s.name === name)?.value;
    const m = value("recording.mic"), sys = value("recording.system");
    if (typeof m === "string") setMic(m);
    if (typeof sys === "string") setSystem(sys);
  }, [settings.data]);

  const onEvent = useCallback((e: ServerEvent) => {
    dispatch(e);
    if (e.type === "snapshot") {
      setRecording(e.recording);
      setLevels({});
    } else if (e.type === "session_started") {
      setRecording({ id: e.session_id, sources: e.sources });
      setWarnings([]);
      setHistory([]);
    } else if (e.type === "session_stopped") {
      setRecording(null);
      setLevels({});
      void queries.invalidateQueries({ queryKey: ["sessions"] });
    } else if (e.type === "audio_levels") {
      setLevels(e.levels);
      setElapsed(e.elapsed_ms);
      const loudest = Math.max(...Object.values(e.levels).map((l) => l.peak), -120);
      setHistory((h) => [...h.slice(-119), meterWidth(loudest)]);
    } else if (e.type === "warning") {
      setWarnings((w) => (w.some((x) => x.message === e.message) ? w : [...w, { code: e.code, message: e.message }]));
    } else if (e.type === "error") {
      toast(e.message);
    }
  }, [queries, toast]);
  useEvents(onEvent);

  const start = async () => {
    setBusy(true);
    try {
      await call("sessions.start", { mic: mic || null, system: system || null, transcribe: !recordOnly,
        language: language === "auto" ? "auto" : language, model: model || null, vocabulary });
    } catch (e) {
      toast(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  const stop = async () => {
    setBusy(true);
    try {
      await call("sessions.stop");
    } catch (e) {
      toast(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  const toggle = recording ? stop : start;

  useEffect(() => {
    const key = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && e.key === "Enter") {
        e.preventDefault();
        if (!busy) void toggle();
      }
    };
    window.addEventListener("keydown", key);
    return () => window.removeEventListener("keydown", key);
  });

  // Auto-scroll that pauses while the user reads further up.
  const box = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  useEffect(() => {
    if (stick.current && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [transcript]);

  const inputs = devices.data ?? [];
  const sources = recording?.sources ?? [];
  return (
    <section className="page record">
      <header className="page-head">
        <h1>Record</h1>
        <button className={`primary big ${recording ? "stop" : ""}`} onClick={() => void toggle()} disabled={busy}
          title="Ctrl+Enter">
          {recording ? "Stop" : "Start recording"}
        </button>
      </header>
      {warnings.map((w) => (
        <div key={w.message} className="banner warning" role="alert" data-code={w.code}>{w.message}</div>
      ))}
      <div className="controls">
        <label>Microphone
          <select value={mic} onChange={(e) => setMic(e.target.value)} disabled={!!recording}>
            <option value="default">Default microphone</option>
            {inputs.filter((d) => !d.is_monitor).map((d) => <option key={d.id} value={d.id}>{d.name}</option>)}
            <option value="">No microphone</option>
          </select>
        </label>
        <label>System audio
          <select value={system} onChange={(e) => setSystem(e.target.value)} disabled={!!recording}>
            <option value="">Off</option>
            <option value="default">Default output</option>
            {inputs.filter((d) => d.is_monitor).map((d) => <option key={d.id} value={d.id}>{d.name}</option>)}
          </select>
        </label>
        <label>Language
          <select value={language} onChange={(e) => setLanguage(e.target.value)} disabled={!!recording}>
            {["auto", ...LANGUAGES].map((l) =>
              <option key={l} value={l}>{l === "auto" ? "Detect" : l}</option>)}
          </select>
        </label>
        <label>Model
          <select value={model} onChange={(e) => setModel(e.target.value)} disabled={!!recording}>
            <option value="">Default</option>
            {(models.data ?? []).map((m) => <option key={m.name} value={m.name}>{m.name}</option>)}
          </select>
        </label>
        <label className="wide">Vocabulary
          <input type="text" value={vocabulary} placeholder="Names and terms, e.g. Rotterdam, Kubernetes"
            onChange={(e) => setVocabulary(e.target.value)} disabled={!!recording} />
        </label>
        <label className="switch">
          <input type="checkbox" checked={recordOnly} onChange={(e) => setRecordOnly(e.target.checked)} disabled={!!recording} />
          Record only
        </label>
      </div>
      <div className="meters" aria-label="Levels">
        <div className="elapsed">{clock(elapsed)}</div>
        {(sources.length ? sources : ["mic"]).map((s) => (
          <div className="meter" key={s}>
            <span>{s === "mic" ? "Mic" : "System"}</span>
            <div className="bar"><div style={{ width: `${meterWidth(levels[s]?.rms ?? -120)}%` }} /></div>
          </div>
        ))}
        <div className="wave" aria-hidden>
          {history.map((h, i) => <span key={i} style={{ height: `${Math.max(2, h)}%` }} />)}
        </div>
      </div>
      {recording && <MemoEditor key={recording.id} sessionId={recording.id} />}
      <div className="live" ref={box} data-testid="live-transcript"
        onScroll={(e) => {
          const el = e.currentTarget;
          stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
        }}>
        {transcript.lines.length === 0 && (
          <p className="empty">{recording ? "Listening…" : "Start a recording to see its transcript here."}</p>
        )}
        {transcript.lines.map((l) => (
          <p key={l.key} className={l.note ? "note" : l.partial ? "partial" : "final"}>
            <span className="time">{clock(l.startMs)}</span>
            {(l.who ?? speaker(l.source, sources)) && <span className="who">{l.who ?? speaker(l.source, sources)}</span>}
            {l.words.length ? l.words.map((w, i) => <span key={i} className={w.low ? "low" : undefined}>{`${w.text} `}</span>) : l.text}
          </p>
        ))}
      </div>
    </section>
  );
}
