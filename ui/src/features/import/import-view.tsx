import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useState } from "react";
import { errorText, useToast } from "../../components/toast";
import { call, isDesktop, upload } from "../../lib/bridge";
import { useEvents } from "../../lib/use-events";

export function ImportView() {
  const toast = useToast();
  const queries = useQueryClient();
  const [over, setOver] = useState(false);
  const jobs = useQuery({ queryKey: ["jobs"], queryFn: () => call("jobs.list") });
  useEvents(useCallback((e) => {
    if (e.type === "job_updated") void queries.invalidateQueries({ queryKey: ["jobs"] });
  }, [queries]));
  const send = async (files: FileList | null) => {
    for (const f of Array.from(files ?? [])) {
      try {
        await upload(f);
      } catch (e) {
        toast(errorText(e));
      }
    }
    void queries.invalidateQueries({ queryKey: ["jobs"] });
  };
  // Desktop: the system's open dialog; the files are read where they are, not uploaded.
  const choose = async () => {
    try {
      await call("dialog.import_files", {});
    } catch (e) {
      toast(errorText(e));
    }
    void queries.invalidateQueries({ queryKey: ["jobs"] });
  };
  const list = jobs.data ?? [];
  return (
    <section className="page">
      <header className="page-head">
        <h1>Import</h1>
        {isDesktop() && <button className="button" data-testid="choose-files" onClick={() => void choose()}>Choose files…</button>}
      </header>
      <label className={`drop ${over ? "over" : ""}`}
        onDragOver={(e) => { e.preventDefault(); setOver(true); }} onDragLeave={() => setOver(false)}
        onDrop={(e) => { e.preventDefault(); setOver(false); void send(e.dataTransfer.files); }}>
        <input type="file" multiple accept="audio/*,video/*" data-testid="file-input" onChange={(e) => void send(e.target.files)} />
        <strong>Drop audio or video files here</strong>
        <span className="muted">or click to choose (wav, mp3, m4a, ogg, flac, webm, mp4, mkv…){isDesktop() ? "" : " — they are uploaded to this machine's AIWisper"}</span>
      </label>
      {jobs.isLoading && <p className="empty">Loading…</p>}
      {jobs.isSuccess && list.length === 0 && <p className="empty">No imports yet.</p>}
      <ul className="jobs">
        {[...list].reverse().map((j) => (
          <li key={j.job_id} className={j.state}>
            <span className="title">{j.kind === "import" ? j.title : `Re-transcribe: ${j.title}`}</span>
            <progress max={1} value={j.progress} aria-label={`${j.title} progress`} />
            <span className="muted">{j.state === "running" ? `${Math.round(j.progress * 100)}%${j.eta_s !== null ? ` · ${Math.round(j.eta_s)} s left` : ""}` : j.state}</span>
            {j.error && <span className="error-text">{j.error}</span>}
            {j.session_id && j.state === "done" && <a href={`#/sessions/${j.session_id}`}>Open</a>}
            {(j.state === "queued" || j.state === "running") && (
              <button className="ghost" onClick={() => void call("jobs.cancel", { job_id: j.job_id }).catch((e) => toast(errorText(e)))}>Cancel</button>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
