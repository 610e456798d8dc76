import { useEffect, useRef, useState } from "react";
import { errorText, useToast } from "./toast";
import { call } from "../lib/bridge";

type SaveState = "idle" | "saving" | "saved" | "failed";
const DELAY_MS = 600; // autosave after the user pauses typing

/** The session's memo: the user's own notes, autosaved while typing (also during a recording). `initial` is the
 * stored text when the page already has it; otherwise it is loaded. */
export function MemoEditor({ sessionId, initial }: { sessionId: string; initial?: string }) {
  const toast = useToast();
  const [text, setText] = useState<string | null>(initial ?? null);
  const [state, setState] = useState<SaveState>("idle");
  const pending = useRef<string | null>(null);
  const timer = useRef<number | undefined>(undefined);

  useEffect(() => {
    if (initial !== undefined) return;
    let live = true;
    call("sessions.get", { session_id: sessionId })
      .then((s) => { if (live) setText((t) => t ?? s.memo.text); })
      .catch(() => { if (live) setText((t) => t ?? ""); });
    return () => { live = false; };
  }, [sessionId, initial]);

  const flush = () => {
    window.clearTimeout(timer.current);
    const value = pending.current;
    if (value === null) return;
    pending.current = null;
    setState("saving");
    call("sessions.set_memo", { session_id: sessionId, text: value })
      .then(() => setState(pending.current === null ? "saved" : "saving"))
      .catch((e: unknown) => { setState("failed"); pending.current ??= value; toast(errorText(e)); });
  };

  useEffect(() => () => flush(), [sessionId]); // a pending save is flushed when the page closes

  return (
    <div className="memo">
      <div className="memo-head">
        <label htmlFor={`memo-${sessionId}`}>Your notes</label>
        <span className={`memo-state ${state}`} data-testid="memo-state">
          {state === "saving" ? "Saving…" : state === "saved" ? "Saved" : state === "failed" ? "Not saved" : ""}
        </span>
      </div>
      <textarea id={`memo-${sessionId}`} aria-label="Your notes" value={text ?? ""} disabled={text === null}
        placeholder="Your notes: agenda, decisions, to-dos…" rows={4}
        onChange={(e) => {
          setText(e.target.value);
          pending.current = e.target.value;
          setState("saving");
          window.clearTimeout(timer.current);
          timer.current = window.setTimeout(flush, DELAY_MS);
        }}
        onBlur={flush} />
    </div>
  );
}
