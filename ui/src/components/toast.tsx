import { createContext, useCallback, useContext, useState, type ReactNode } from "react";

interface Toast { id: number; text: string; kind: "error" | "info" }
const Ctx = createContext<(text: string, kind?: Toast["kind"]) => void>(() => {});

// Errors carry the log file's path, to copy into a bug report.
export function ToastProvider({ children, logPath }: { children: ReactNode; logPath?: string }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const show = useCallback((text: string, kind: Toast["kind"] = "error") => {
    const id = Date.now() + Math.random();
    setToasts((t) => [...t, { id, text, kind }]);
    setTimeout(() => setToasts((t) => t.filter((x) => x.id !== id)), 6000);
  }, []);
  return (
    <Ctx.Provider value={show}>
      {children}
      <div className="toasts" role="status" aria-live="polite">
        {toasts.map((t) => (
          <div key={t.id} className={`toast ${t.kind}`}>
            {t.text}
            {t.kind === "error" && logPath && (
              <button type="button" className="link" title={logPath}
                onClick={() => void navigator.clipboard?.writeText(logPath)}>Copy log path</button>
            )}
          </div>
        ))}
      </div>
    </Ctx.Provider>
  );
}

export const useToast = () => useContext(Ctx);

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
