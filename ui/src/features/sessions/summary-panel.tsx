import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type ReactNode, useCallback, useState } from "react";
import { errorText, useToast } from "../../components/toast";
import { LANGUAGE_NAMES, LANGUAGES } from "../../lib/api-types";
import { call } from "../../lib/bridge";
import { useEvents } from "../../lib/use-events";

const TEMPLATES = [
  ["notes", "Meeting notes"],
  ["decisions", "Decisions"],
  ["action_items", "Action items"],
  ["custom", "Your question…"],
] as const;

const CITE = /\[(\d+:\d{2}(?::\d{2})?)\]/g;

function ms(stamp: string): number {
  return stamp.split(":").reduce((total, part) => total * 60 + Number(part), 0) * 1000;
}

/** One line of the notes: "**Owner**:" in bold, each "[12:04]" a button that plays the meeting from there. */
function inline(text: string, onPlay: (ms: number) => void): ReactNode[] {
  const out: ReactNode[] = [];
  let at = 0;
  for (const m of text.matchAll(CITE)) {
    const stamp = m[1] ?? "0:00";
    out.push(text.slice(at, m.index));
    out.push(<button key={m.index} type="button" className="cite" title={`Play from ${stamp}`} onClick={() => onPlay(ms(stamp))}>{stamp}</button>);
    at = m.index + m[0].length;
  }
  out.push(text.slice(at));
  return out.flatMap((part, i) => {
    if (typeof part !== "string") return [part];
    const owner = /^\*\*(.+?)\*\*(.*)$/s.exec(part);
    return owner ? [<strong key={`o${i}`}>{owner[1]}</strong>, owner[2]] : [part];
  });
}

const APART = "Not found in the transcript";

/** The notes' Markdown as headings, bullets and paragraphs (no HTML from the model is ever rendered). The points
 * nothing in the transcript supports come last, folded away: the notes are read first, the model's inventions
 * only by who asks to see them. */
export function NotesText({ text, onPlay }: { text: string; onPlay: (ms: number) => void }) {
  const blocks: ReactNode[] = [];
  const apartItems: ReactNode[] = [];
  let items: ReactNode[] = [];
  let apart = false;
  const flush = () => { if (items.length) { blocks.push(<ul key={`ul${blocks.length}`}>{items}</ul>); items = []; } };
  text.split("\n").forEach((line, i) => {
    const head = /^(#{2,3})\s+(.*)$/.exec(line);
    if (line.startsWith("- ")) { (apart ? apartItems : items).push(<li key={i}>{inline(line.slice(2), onPlay)}</li>); return; }
    flush();
    if (head?.[1] === "##") apart = head[2] === APART;
    if (apart) return;
    if (head) blocks.push(head[1] === "##" ? <h4 key={i}>{head[2]}</h4> : <h5 key={i}>{head[2]}</h5>);
    else if (line.trim()) blocks.push(<p key={i}>{inline(line, onPlay)}</p>);
  });
  flush();
  if (apartItems.length) {
    const count = apartItems.length === 1 ? "1 point the model wrote is" : `${apartItems.length} points the model wrote are`;
    blocks.push(
      <details key="apart" className="apart muted">
        <summary>{count} not in the transcript</summary>
        <ul>{apartItems}</ul>
      </details>,
    );
  }
  return <>{blocks}</>;
}

/** Summaries of the session by the local language model: run one, watch it write, cancel it, read the stored ones.
 * `onPlay` plays the meeting from a point's cited time. */
export function SummaryPanel({ sessionId, onPlay }: { sessionId: string; onPlay: (ms: number) => void }) {
  const toast = useToast();
  const queries = useQueryClient();
  const list = useQuery({ queryKey: ["summaries", sessionId], queryFn: () => call("summaries.list", { session_id: sessionId }) });
  const [template, setTemplate] = useState("notes");
  const [prompt, setPrompt] = useState("");
  const [language, setLanguage] = useState(""); // "": the meeting's own
  const [live, setLive] = useState<{ id: string; text: string; stage: string; progress: number } | null>(null);
  useEvents(useCallback((e) => {
    if (e.type === "summary_token" && e.session_id === sessionId) {
      setLive((l) => {
        const same = l !== null && l.id === e.summary_id && l.stage === e.stage; // a new step starts a new text
        return { id: e.summary_id, stage: e.stage, progress: l?.progress ?? 0, text: (same ? l.text : "") + e.text };
      });
    } else if (e.type === "summary_updated" && e.session_id === sessionId) {
      if (e.state === "running") setLive((l) => ({ id: e.summary_id, text: l?.id === e.summary_id ? l.text : "", stage: l?.stage ?? "", progress: e.progress }));
      else { setLive(null); void queries.invalidateQueries({ queryKey: ["summaries", sessionId] }); }
      if (e.state === "failed" && e.error) toast(`Summary failed: ${e.error}`);
    }
  }, [sessionId, queries, toast]));
  const run = useMutation({ mutationFn: () => call("summaries.create", { session_id: sessionId, template, prompt, language }),
    onSuccess: () => void queries.invalidateQueries({ queryKey: ["summaries", sessionId] }), onError: (e) => toast(errorText(e)) });
  const cancel = useMutation({ mutationFn: (id: string) => call("summaries.cancel", { summary_id: id }), onError: (e) => toast(errorText(e)) });
  const active = (list.data ?? []).find((s) => s.state === "queued" || s.state === "running");
  const stored = (list.data ?? []).filter((s) => s.state !== "queued" && s.state !== "running");
  return (
    <div className="summary-panel" aria-label="Summaries">
      <h2>Meeting notes</h2>
      {active && (
        <div className="summary live" data-testid="summary-live">
          <div className="muted">{live?.stage && live.stage !== "final" ? `Reading the transcript: ${live.stage}` : active.state === "queued" ? "Queued…" : "Writing…"} {live ? `${Math.round(live.progress * 100)}%` : ""}</div>
          <p>{live?.id === active.id ? live.text : ""}</p>
        </div>
      )}
      {stored.slice(0, 3).map((s) => (
        <div key={s.id} className={`summary ${s.state}`} data-testid="summary">
          <div className="muted">{TEMPLATES.find(([v]) => v === s.template)?.[1] ?? s.template}{s.prompt ? `: ${s.prompt}` : ""} · {s.model} · {s.state}{s.error ? ` (${s.error})` : ""}</div>
          <NotesText text={s.text} onPlay={onPlay} />
        </div>
      ))}
      {!active && stored.length === 0 && !list.isLoading && <p className="empty">No notes yet: they are written when the meeting is transcribed, or now with Summarize.</p>}
      <div className="summary-run">
        <select aria-label="Summary template" value={template} onChange={(e) => setTemplate(e.target.value)}>
          {TEMPLATES.map(([v, label]) => <option key={v} value={v}>{label}</option>)}
        </select>
        <select aria-label="Summary language" value={language} onChange={(e) => setLanguage(e.target.value)}>
          <option value="">In the meeting's language</option>
          {[...LANGUAGES].sort((a, b) => LANGUAGE_NAMES[a].localeCompare(LANGUAGE_NAMES[b])).map((l) => <option key={l} value={l}>In {LANGUAGE_NAMES[l]}</option>)}
        </select>
        {template === "custom" && <input aria-label="Summary question" placeholder="e.g. What did we decide about the budget?" value={prompt} onChange={(e) => setPrompt(e.target.value)} />}
        <button onClick={() => run.mutate()} disabled={!!active || run.isPending || (template === "custom" && !prompt.trim())}>Summarize</button>
        {active && <button className="ghost" onClick={() => cancel.mutate(active.id)}>Cancel</button>}
        <span className="muted">Runs on this computer ({active?.model ?? stored[0]?.model ?? "local model"}).</span>
      </div>
    </div>
  );
}
