import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { errorText } from "../../components/toast";
import type { Answer } from "../../lib/api-types";
import { call } from "../../lib/bridge";

/** Ask the meeting: a question answered from its own transcript by the notes model; each cited time plays. */
export function AskBox({ sessionId, onPlay }: { sessionId: string; onPlay: (ms: number) => void }) {
  const [question, setQuestion] = useState("");
  const ask = useMutation({ mutationFn: (q: string) => call("ask", { question: q, session_id: sessionId }) });
  const answer: Answer | undefined = ask.data;
  return (
    <section className="ask" aria-label="Ask this meeting">
      <form onSubmit={(e) => { e.preventDefault(); if (question.trim()) ask.mutate(question); }}>
        <input aria-label="Question about this meeting" placeholder="Ask this meeting, e.g. what price did we set?"
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
                  <button type="button" className="cite" disabled={!src.timed} title={src.timed ? "Play from here" : "No audio"}
                    onClick={() => onPlay(src.start_ms)}>{src.timed ? stamp(src.start_ms) : `line ${src.line}`}</button>{" "}
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

function stamp(ms: number): string {
  const s = Math.floor(ms / 1000);
  const mm = String(Math.floor(s / 60) % 60).padStart(2, "0");
  return s >= 3600 ? `${Math.floor(s / 3600)}:${mm}:${String(s % 60).padStart(2, "0")}` : `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}
