"""What "nothing happened" means on a page: no dialog, script, navigation or injected element."""

from urllib.parse import urlsplit

# Characters that reorder text (LRM, RLM, ALM, embeddings, overrides, isolates): written
# out here rather than imported, so the test does not trust the code it checks.
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
ALLOWED_FRAMES = ("https://www.youtube-nocookie.com/", "https://player.vimeo.com/")
# Elements and attributes that no text anyone typed may produce; run in the page.
FIND_INJECTED = """(allowedFrames) => {
  const bad = [];
  const show = (el, why) => bad.push(why + ': ' + el.outerHTML.slice(0, 160));
  const anywhere = 'base, meta[http-equiv], iframe, frame, frameset, object, embed, applet, '
    + 'portal, script:not([src^="/static/"]), link:not([rel~="stylesheet"]):not([rel~="icon"])';
  for (const el of document.querySelectorAll(anywhere)) {
    const src = el.getAttribute('src') || '';
    if (el.tagName === 'IFRAME' && allowedFrames.some((a) => src.startsWith(a))) continue;
    show(el, 'element outside the allow-list');
  }
  const inMain = 'main style, main link, main svg script, main [style], main [srcdoc], '
    + 'main math [href], main svg [href], main svg [*|href]';
  for (const el of document.querySelectorAll(inMain)) show(el, 'element in the content');
  for (const el of document.querySelectorAll('form[action], [formaction]')) {
    const action = el.getAttribute(el.tagName === 'FORM' ? 'action' : 'formaction');
    if (!action.startsWith('/') || action.startsWith('//')) show(el, 'form posting away');
  }
  const urlAttrs = ['href', 'src', 'action', 'formaction', 'xlink:href', 'data', 'poster',
                    'background', 'srcset', 'ping', 'cite'];
  for (const el of document.querySelectorAll('*')) {
    for (const attr of el.attributes) {
      const value = attr.value.replace(/[\\s\\u0000-\\u001f]/g, '').toLowerCase();
      if (attr.name.toLowerCase().startsWith('on')) show(el, 'event handler ' + attr.name);
      else if (urlAttrs.includes(attr.name.toLowerCase())
               && /^(javascript|vbscript|data:text|data:application)/.test(value)) {
        show(el, 'script address in ' + attr.name);
      }
    }
  }
  return bad;
}"""


class Watch:
    """Dialogs, navigations, requests off the site and CSP violations of one page."""

    def __init__(self, page, base: str):
        self.page, self.base = page, base
        self.dialogs: list[str] = []
        self.navigations: list[str] = []
        self.offsite: list[str] = []
        page.on("dialog", self._dialog)
        page.on(
            "framenavigated",
            lambda frame: frame == page.main_frame and self.navigations.append(frame.url),
        )
        page.route("**/*", self._route)

    def _dialog(self, dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def _route(self, route) -> None:
        if route.request.url.startswith(self.base):
            route.continue_()
        else:
            self.offsite.append(route.request.url)
            route.abort()

    def open(self, path: str) -> None:
        response = self.page.goto(self.base + path)
        assert response is not None and response.status == 200, (path, response and response.status)
        self.check(path)

    def check(self, path: str) -> None:
        """Nothing ran, nothing navigated, nothing was injected, after a moment to let it."""
        self.navigations.clear()
        expected = urlsplit(self.page.url).path
        self.page.wait_for_timeout(400)  # a 0-second meta refresh or a timer would fire by now
        page = self.page
        assert not self.dialogs, f"{path}: a dialog opened: {self.dialogs}"
        assert not self.navigations, f"{path}: the page navigated to {self.navigations}"
        assert urlsplit(page.url).path == expected and page.url.startswith(self.base), page.url
        assert not self.offsite, f"{path}: requests off the site: {self.offsite}"
        assert page.evaluate("() => window.__xss === undefined"), (
            f"{path}: a payload ran: {page.evaluate('() => window.__xss')}"
        )
        injected = page.evaluate(FIND_INJECTED, list(ALLOWED_FRAMES))
        assert not injected, f"{path}:\n" + "\n".join(injected)
        assert not page.csp_violations, f"{path}: {page.csp_violations}"
