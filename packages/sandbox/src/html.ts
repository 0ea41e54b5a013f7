// HTML helpers shared by the sandbox's pages (cashier, dashboard): escaping, the favicon, the font
// stack. Every value that reaches a page goes through esc().

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML element content and double- or single-quoted attributes. */
export function esc(value: string | number): string {
  return String(value).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/** A diamond, inline as a data URL so the pages need no request for it. */
const FAVICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><path d="M16 2 30 13 16 30 2 13z" fill="#2451d6"/><path d="M16 2 22 13 16 30 10 13z" fill="#6f8ff0"/></svg>';

/** The `<link rel="icon">` every sandbox page carries. */
export const FAVICON_LINK = `<link rel="icon" type="image/svg+xml" href="data:image/svg+xml,${encodeURIComponent(FAVICON_SVG)}">`;

/** Korean-capable fonts first (Debian's fonts-nanum, then the platforms' own), then the system UI font. */
export const FONT_STACK =
  'system-ui,-apple-system,"Apple SD Gothic Neo","Malgun Gothic","NanumGothic","Nanum Gothic","Noto Sans CJK KR","Noto Sans KR",sans-serif';

export const HTML_TYPE = 'text/html;charset=utf-8';
