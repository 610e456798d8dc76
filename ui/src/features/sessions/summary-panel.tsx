import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useState } from "react";
import { errorText, useToast } from "../../components/toast";
import { call } from "../../lib/bridge";
import { useEvents } from "../../lib/use-events";

const TEMPLATES = [
  ["summary", "Summary"],
  ["decisions", "Decisions"],
  ["action_items", "Action items"],
  ["custom", "Your question…"],
] as const;

/** Summaries of the session by the local language model: run one, watch it write, cancel it, read the stored ones. */
export function SummaryPanel({ sessionId }: { sessionId: string }) {
  const toast = useToast();
  const queries = useQueryClient();
  const list = useQuery({ queryKey: ["summaries", sessionId], queryFn: () => call("summaries.list", { session_id: sessionId }) });
  const [template, setTemplate] = useState("summary");
  const [prompt, setPrompt] = useState("");
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
  const run = useMutation({ mutationFn: () => call("summaries.create", { session_id: sessionId, template, prompt }),
    onSuccess: () => void queries.invalidateQueries({ queryKey: ["summaries", sessionId] }), onError: (e) => toast(errorText(e)) });
  const cancel = useMutation({ mutationFn: (id: string) => call("summaries.cancel", { summary_id: id }), onError: (e) => toast(errorText(e)) });
  const active = (list.data ?? []).find((s) => s.state === "queued" || s.state === "running");
  const stored = (list.data ?? []).filter((s) => s.state !== "queued" && s.state !== "running");
  return (
    <div className="summary-panel" aria-label="Summaries">
      <div className="summary-run">
        <select aria-label="Summary template" value={template} onChange={(e) => setTemplate(e.target.value)}>
          {TEMPLATES.map(([v, label]) => <option key={v} value={v}>{label}</option>)}
        </select>
        {template === "custom" && <input aria-label="Summary question" placeholder="e.g. What did we decide about the budget?" value={prompt} onChange={(e) => setPrompt(e.target.value)} />}
        <button onClick={() => run.mutate()} disabled={!!active || run.isPending || (template === "custom" && !prompt.trim())}>Summarize</button>
        {active && <button className="ghost" onClick={() => cancel.mutate(active.id)}>Cancel</button>}
        <span className="muted">Runs on this computer ({active?.model ?? stored[0]?.model ?? "local model"}).</span>
      </div>
      {active && (
        <div className="summary live" data-testid="summary-live">
          <div className="muted">{live?.stage && live.stage !== "final" ? `Reading the transcript: ${live.stage}` : active.state === "queued" ? "Queued…" : "Writing…"} {live ? `${Math.round(live.progress * 100)}%` : ""}</div>
          <p>{live?.id === active.id ? live.text : ""}</p>
        </div>
      )}
      {stored.slice(0, 3).map((s) => (
        <div key={s.id} className={`summary ${s.state}`} data-testid="summary">
          <div className="muted">{TEMPLATES.find(([v]) => v === s.template)?.[1] ?? s.template}{s.prompt ? `: ${s.prompt}` : ""} · {s.model} · {s.state}{s.error ? ` (${s.error})` : ""}</div>
          {s.text.split("\n").map((line, i) => <p key={i}>{line}</p>)}
        </div>
      ))}
    </div>
  );
}
