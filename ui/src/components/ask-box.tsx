import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import type { Answer, Source } from "../lib/api-types";
import { call } from "../lib/bridge";
import { errorText } from "./toast";

/** Ask a question answered by the notes model from the transcripts: of one meeting (`sessionId`; each cited time
 * plays it with `onPlay`), or of the whole library (no `sessionId`; each source links to its meeting and time). */
export function AskBox({ sessionId = "", onPlay }: { sessionId?: string; onPlay?: (ms: number) => void }) {
  const [question, setQuestion] = useState("");
  const ask = useMutation({ mutationFn: (q: string) => call("ask", { question: q, session_id: sessionId }) });
  const answer: Answer | undefined = ask.data;
  const scope = sessionId ? "this meeting" : "all your meetings";
  return (
    <section className="ask" aria-label={`Ask ${scope}`}>
      <form onSubmit={(e) => { e.preventDefault(); if (question.trim()) ask.mutate(question); }}>
        <input aria-label={sessionId ? "Question about this meeting" : "Question about all your meetings"}
          placeholder={sessionId ? "Ask this meeting, e.g. what price did we set?" : "Ask all your meetings, e.g. what did we decide about the budget?"}
          value={question} onChange={(e) => setQuestion(e.target.value)} />
        <button type="submit" disabled={ask.isPending || !question.trim()}>{ask.isPending ? "Thinking…" : "Ask"}</button>
      </form>
      {ask.isError && <p className="error" role="alert">{errorText(ask.error)}</p>}
      {answer && (
        <div className="answer" data-testid="answer">
          <p>{answer.text}</p>
          {answer.sources.length > 0 && (
            <ul>
              {answer.sources.map((src) => (
                <li key={`${src.session_id}-${src.line}`}>
                  {onPlay ? (
                    <button type="button" className="cite" disabled={!src.timed} title={src.timed ? "Play from here" : "No audio"}
                      onClick={() => onPlay(src.start_ms)}>{where(src)}</button>
                  ) : (
                    <a className="cite" href={`#/sessions/${src.session_id}${src.timed ? `?t=${src.start_ms}` : ""}`}>{src.title}, {where(src)}</a>
                  )}{" "}
                  {src.text}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </section>
  );
}

function where(src: Source): string {
  return src.timed ? stamp(src.start_ms) : `line ${src.line}`;
}

function stamp(ms: number): string {
  const s = Math.floor(ms / 1000);
  const mm = String(Math.floor(s / 60) % 60).padStart(2, "0");
  return s >= 3600 ? `${Math.floor(s / 3600)}:${mm}:${String(s % 60).padStart(2, "0")}` : `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}
