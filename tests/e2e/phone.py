"""What "usable on a 360-pixel-wide phone" means, measured in the page itself."""

PHONE = {"width": 360, "height": 740}
TOUCH_PHONE = {"viewport": PHONE, "is_mobile": True, "has_touch": True}


def open_on_touch_phone(context, errors):
    """A page of the context that collects console errors and uncaught exceptions into `errors`."""
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(f"uncaught: {exc}"))
    return page
SMALLEST_TEXT_PX = 12
# WCAG 2.2 target size (minimum): 24 by 24 CSS pixels. Links inside running text are exempt.
SMALLEST_TARGET_PX = 24

LAYOUT_PROBLEMS = """([smallestText, smallestTarget]) => {
  const problems = [];
  const width = document.documentElement.clientWidth;
  const describe = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
      (el.name ? '[name=' + el.name + ']' : '') + ' "' +
      (el.innerText || el.textContent || el.value || '').trim().slice(0, 30) + '"';
  const shown = (el) => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0 &&
      getComputedStyle(el).visibility !== 'hidden'; };
  if (document.documentElement.scrollWidth > width) {
    problems.push('page scrolls sideways: ' + document.documentElement.scrollWidth + 'px wide');
    for (const el of document.querySelectorAll('body *')) {
      const r = el.getBoundingClientRect();
      if (r.right > width + 1 && shown(el) && !el.closest('.table-wrap, .scroll-x')) {
        problems.push('  wider than the screen: ' + describe(el) + ' right edge ' + Math.round(r.right));
        if (problems.length > 8) break;
      }
    }
  }
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const small = new Set();
  while (walker.nextNode()) {
    const el = walker.currentNode.parentElement;
    if (!walker.currentNode.textContent.trim() || !el || small.has(el) || !shown(el)) continue;
    // Text inside an SVG chart is drawn at its font size times the chart's scale on the screen.
    const svg = el.closest('svg');
    const scale = svg && svg.getScreenCTM() ? svg.getScreenCTM().a : 1;
    if (parseFloat(getComputedStyle(el).fontSize) * scale < smallestText - 0.01) small.add(el);
  }
  for (const el of small) problems.push('text smaller than ' + smallestText + 'px: ' + describe(el));
  const controls = document.querySelectorAll(
      'button, select, textarea, summary, input:not([type=hidden]), nav a, a.button, .tabs a, .pager a');
  for (const el of controls) {
    if (!shown(el)) continue;
    const target = (el.type === 'checkbox' || el.type === 'radio') && el.closest('label') ? el.closest('label') : el;
    const r = target.getBoundingClientRect();
    if (r.height < smallestTarget || r.width < smallestTarget) {
      problems.push('tap target ' + Math.round(r.width) + 'x' + Math.round(r.height) + ': ' + describe(el));
    }
    if (r.left < -1 || r.right > width + 1) {
      if (!el.closest('.table-wrap, .scroll-x')) problems.push('control outside the screen: ' + describe(el));
    }
  }
  return problems;
}"""


def layout_problems(page):
    return page.evaluate(LAYOUT_PROBLEMS, [SMALLEST_TEXT_PX, SMALLEST_TARGET_PX])
