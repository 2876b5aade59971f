/** Escapes text for an HTML page. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;line-height:1.5}</style>
</head><body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(body)}</p></body></html>
`;
}

/** Shown in the browser after a successful sign-in. */
export function successPage(): string {
  return page('Signed in to nodex', 'You can close this tab and return to the terminal.');
}

/** Shown in the browser when the sign-in failed; `message` must not hold secrets. */
export function errorPage(message: string): string {
  return page('nodex sign-in failed', message);
}
