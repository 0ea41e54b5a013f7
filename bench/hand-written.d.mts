// Types for bench/hand-written.mjs (plain JavaScript, so the bench servers can import it too).
export const ACK: string;
export const HEADERS: Record<string, string>;
export function handWrittenReceiver(
  key: string,
  onDeposit?: (obj: Record<string, unknown>) => void,
): { receive(text: string): { status: number; body: string }; seen: Map<string, number> };
