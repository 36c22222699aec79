"""What the browser tests look at on one page at one screen size, measured once and kept as plain data
(so that the checks in `browser.checks` are pure functions, tested without a browser).

Conventions the pages follow for the checks to find things (agreed with the layout and index work):
- the index's verdict sentence is an element with class `wx-verdict` (or `wx-ix-verdict`, the
  index's own name for it: VERDICT), its headline KPIs the `.wx-card` elements of its first
  `.wx-cards` block (CARDS);
- an `<img>` chart says how small its smallest text is, in the image's own pixels (the units of
  `naturalWidth`), in `data-wx-min-text-px` (on the `<img>`, or on each `<source>` of a `<picture>`);
  inline SVG charts need nothing: their `<text>` is measured in the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from browser.cdp import Page, exceptions_of, requests_of


@dataclass(frozen=True)
class Screen:
    name: str
    width: int
    height: int
    scale: float
    mobile: bool


PHONE = Screen("phone", 390, 844, 3, True)
DESKTOP = Screen("desktop", 1280, 900, 1, False)
SCREENS = (PHONE, DESKTOP)
VERDICT = ".wx-verdict, .wx-ix-verdict"
CARDS = ".wx-cards"

# Runs in the page once it has loaded; returns JSON-able data. Elements are described by a short
# selector-like label so that a failure names what to look at.
PROBE = r"""
(async () => {
  const label = (el) => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += '#' + el.id;
    const cls = (typeof el.className === 'string' ? el.className : el.getAttribute('class') || '')
      .trim().split(/\s+/).filter(Boolean).slice(0, 3);
    if (cls.length) s += '.' + cls.join('.');
    const text = (el.textContent || '').trim().replace(/\s+/g, ' ').slice(0, 40);
    return text ? `${s} "${text}"` : s;
  };
  const box = (el) => { const r = el.getBoundingClientRect();
    return {top: r.top, bottom: r.bottom, left: r.left, right: r.right, width: r.width, height: r.height}; };
  const shown = (el) => { const r = el.getBoundingClientRect(); const cs = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && cs.visibility !== 'hidden' && cs.display !== 'none'; };

  // Fonts: wait for the ones in use, then ask every declared face to load (a broken embedded
  // font shows as status "error").
  await document.fonts.ready;
  for (const face of document.fonts) { if (face.status === 'unloaded') { try { await face.load(); } catch (e) {} } }
  const fonts = [...document.fonts].map(f => ({family: f.family, status: f.status, weight: f.weight,
                                                style: f.style}));

  // Overflow: elements sticking out of the layout viewport, outermost first, unless a box that
  // scrolls or clips them holds them.
  const vw = document.documentElement.clientWidth;
  const clipped = (el) => { for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX; if (o !== 'visible') return true; } return false; };
  const wide = [];
  for (const el of document.body.querySelectorAll('*')) {
    if (wide.length >= 8) break;
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.right <= vw + 0.5 || clipped(el)) continue;
    if (wide.some(w => w.el.contains(el))) continue;
    wide.push({el, right: Math.round(r.right)});
  }

  // Images: <img>, inline <svg> (outermost only), <canvas>; each named with the heading above it.
  const headings = [...document.querySelectorAll('h1, h2, h3')];
  const under = (el) => { let last = null;
    for (const h of headings) {
      if (h.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING) last = h; else break;
    }
    return last ? ' under "' + last.textContent.replace('¶', '').trim().slice(0, 30) + '"' : ''; };
  const images = [];
  for (const el of document.querySelectorAll('img, svg, canvas')) {
    if (el.tagName.toLowerCase() === 'svg' && el.parentElement && el.parentElement.closest('svg')) continue;
    const kind = el.tagName.toLowerCase();
    const title = kind === 'svg' ? (el.querySelector(':scope > title')?.textContent || '') : '';
    const labelledby = (el.getAttribute('aria-labelledby') || '').split(/\s+/).filter(Boolean)
      .map(id => document.getElementById(id)?.textContent || '').join(' ');
    const r = el.getBoundingClientRect();
    const item = {kind, label: `${kind} ${images.length + 1}${under(el)}`, alt: el.getAttribute('alt'),
      role: el.getAttribute('role'), aria_label: el.getAttribute('aria-label') || labelledby || null,
      aria_hidden: el.closest('[aria-hidden="true"]') !== null, title: title.trim() || null,
      width: r.width, height: r.height, shown: shown(el),
      loaded: kind === 'img' ? (el.complete && el.naturalWidth > 0) : true,
      natural_width: kind === 'img' ? el.naturalWidth : null,
      min_text_px: null, text_count: null, text_sample: null, measured: false};
    if (kind === 'img') {
      let attr = el.getAttribute('data-wx-min-text-px');
      if (el.parentElement && el.parentElement.tagName === 'PICTURE') {
        for (const src of el.parentElement.querySelectorAll('source')) {
          const first = (src.getAttribute('srcset') || '').trim().split(/\s+/)[0];
          if (first && el.currentSrc === new URL(first, document.baseURI).href
              && src.hasAttribute('data-wx-min-text-px')) {
            attr = src.getAttribute('data-wx-min-text-px');
          }
        }
      }
      if (attr !== null && el.naturalWidth > 0) {
        item.min_text_px = parseFloat(attr) * r.width / el.naturalWidth; item.measured = true;
      }
    } else if (kind === 'svg') {
      // Each text run's font size (user units) times the vertical scale of its screen matrix:
      // viewBox scaling, CSS sizing and rotation all counted.
      let smallest = null, sample = null, count = 0;
      for (const t of el.querySelectorAll('text, tspan')) {
        const own = [...t.childNodes].filter(n => n.nodeType === 3).map(n => n.textContent).join('').trim();
        if (!own || !shown(t)) continue;
        const m = t.getScreenCTM(); if (!m) continue;
        const px = parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.c, m.d);
        count += 1;
        if (smallest === null || px < smallest) { smallest = px; sample = own.slice(0, 30); }
      }
      item.text_count = count; item.text_sample = sample;
      if (count) { item.min_text_px = smallest; item.measured = true; }
    }
    images.push(item);
  }

  // The index's first screen: the verdict and the headline KPI cards.
  const verdict = document.querySelector('__VERDICT__');
  const cardsBlock = document.querySelector('__CARDS__');
  const first_screen = {
    verdict: verdict ? {label: label(verdict), shown: shown(verdict), ...box(verdict)} : null,
    cards: cardsBlock ? [...cardsBlock.querySelectorAll('.wx-card')]
      .map(c => ({label: label(c), shown: shown(c), ...box(c)})) : null,
  };

  const links = [...document.querySelectorAll('a[href]')]
    .filter(a => !a.getAttribute('href').startsWith('#'))
    .map(a => ({href: a.href, text: (a.textContent || '').trim().slice(0, 40)}));

  // Navigation from the end of the page: what stays on screen there (a fixed or sticky bar) links
  // to the index and opens the contents; a link takes the reader back to the top.
  window.scrollTo(0, document.scrollingElement.scrollHeight);
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  const pinned = (el) => { for (let p = el; p; p = p.parentElement) {
      if (['fixed', 'sticky'].includes(getComputedStyle(p).position)) return true; } return false; };
  const onScreen = (el) => { const r = el.getBoundingClientRect();
    return shown(el) && r.bottom > 0 && r.top < innerHeight; };
  const atEnd = [...document.querySelectorAll('a[href], summary')].filter(el => onScreen(el) && pinned(el));
  // A contents menu: a block of two or more links to places on this page (a <details> the pinned
  // <summary> opens, or the block a pinned "#contents" link leads to).
  const contents = (el) => !!el && el.querySelectorAll('a[href^="#"]').length >= 2;
  const toTop = [...document.querySelectorAll('a[href^="#"]')].filter(a => {
    const id = decodeURIComponent(a.getAttribute('href').slice(1));
    const target = id && id !== 'top' ? document.getElementById(id) : document.body;
    return target && target.getBoundingClientRect().top + scrollY < 20; });
  const navigation = {
    index_at_end: atEnd.filter(el => el.tagName === 'A' && /(^|\/)index\.html$/.test(new URL(el.href).pathname))
      .map(el => label(el)),
    menu_at_end: atEnd.filter(el => contents(el.tagName === 'SUMMARY' ? el.parentElement
      : document.getElementById(decodeURIComponent((el.getAttribute('href') || '').replace(/^#/, ''))))
    ).map(el => label(el)),
    back_to_top: toTop.map(a => label(a)),
  };
  window.scrollTo(0, 0);

  return {
    navigation,
    url: location.href, lang: document.documentElement.lang, title: document.title,
    viewport: {inner_width: innerWidth, inner_height: innerHeight, client_width: vw,
               dpr: devicePixelRatio},
    scroll_width: document.scrollingElement.scrollWidth, scroll_height: document.scrollingElement.scrollHeight,
    wide: wide.map(w => ({label: label(w.el), right: w.right})),
    fonts, images, first_screen, links,
  };
})()
"""


def measure(page: Page, url: str, screen: Screen, shots: Path | None = None, name: str = "") -> dict[str, Any]:
    """Open `url` at `screen` and return what the checks need, with the requests and script errors
    seen while loading and probing. With `shots`, also saves `<name>-<screen>.png` (first screen)
    and `<name>-<screen>-full.png`."""
    page.emulate(screen.width, screen.height, screen.scale, screen.mobile)
    page.open(url)
    data = page.evaluate(PROBE.replace("__VERDICT__", VERDICT).replace("__CARDS__", CARDS))
    if shots is not None:
        first, full = shots / f"{name}-{screen.name}.png", shots / f"{name}-{screen.name}-full.png"
        page.screenshot(first)
        page.screenshot(full, full_page=True)
        data["screenshots"] = [str(first), str(full)]
    events = page.drain()  # after the page was scrolled through and drawn whole: lazy loads too
    data.update(screen=screen.name, requests=requests_of(events), exceptions=exceptions_of(events))
    return data
