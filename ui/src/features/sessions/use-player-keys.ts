import { type RefObject, useEffect } from "react";

const TYPING = "input, textarea, select, [contenteditable=''], [contenteditable='true']";

/** The meeting's keyboard: space plays or pauses, ← and → go 5 s back or on, `/` jumps to the search in the
 * meeting. Keys typed into a field stay there; space on a focused button presses that button. */
export function usePlayerKeys(audio: RefObject<HTMLAudioElement | null>, search: RefObject<HTMLInputElement | null>): void {
  useEffect(() => {
    const on = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
      const target = e.target instanceof Element ? e.target : null;
      if (target?.closest(TYPING)) return;
      const a = audio.current;
      if (e.key === "/") { e.preventDefault(); search.current?.focus(); return; }
      if (!a) return;
      if (e.key === " " && !target?.closest("button, a, summary, audio")) {
        e.preventDefault();
        if (a.paused) void a.play().catch(() => {}); else a.pause();
      } else if (e.key === "ArrowLeft" || e.key === "ArrowRight") {
        if (target?.closest("audio")) return; // the player's own seeking
        e.preventDefault();
        a.currentTime = Math.max(0, a.currentTime + (e.key === "ArrowLeft" ? -5 : 5));
      }
    };
    window.addEventListener("keydown", on);
    return () => window.removeEventListener("keydown", on);
  }, [audio, search]);
}
