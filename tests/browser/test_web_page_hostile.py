"""A page generated from a hostile spec, opened in headless Chromium: no spec string runs, the page is intact.

Every name, description and enum value of the spec holds `</script>`, `<img onerror>`, quotes, `${...}` and
control characters (tests/unit/test_webplan.py's document). The page is opened from file://, so no
Content-Security-Policy protects it: only the escaping does. Chromium is required (Debian: `chromium`).
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

from asyncapi_gen.mockplan import plan_mock
from asyncapi_gen.render import render_package
from asyncapi_gen.webplan import plan_web
from chromium import DevTools, devtools_port, find_chromium, launch_chromium, stop_chromium

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from unit.test_render import HOSTILE
from unit.test_webplan import WEB_HOSTILE, api_of, web_doc

SHOWN = """(() => ({
  pwned: window.__pwned === undefined ? null : window.__pwned,
  pageScript: typeof window.asyncapiPage,
  tags: [...new Set([...document.querySelectorAll("*")].map(e => e.tagName.toLowerCase()))].sort(),
  handlers: [...document.querySelectorAll("*")].flatMap(e => e.getAttributeNames().filter(n => n.startsWith("on"))),
  title: document.title,
  buttons: [...document.querySelectorAll("#controls button")].map(b => b.textContent),
  controls: [...document.querySelectorAll("#controls .control-title")].map(e => e.textContent),
  editors: [...document.querySelectorAll("#controls textarea")].map(e => e.value),
  steps: [...document.querySelectorAll("#state-steps li")].map(e => e.textContent),
  heading: document.querySelector("h1").textContent,
}))()"""


def test_a_page_made_from_hostile_text_runs_none_of_it(tmp_path: Path) -> None:
    find_chromium()
    text = f"{WEB_HOSTILE} {HOSTILE}"
    api = api_of(web_doc(text))
    plan = plan_web(api, plan_mock(api))
    folder = tmp_path / "site"
    for path, content in render_package(api, '"""models."""\n').items():
        if "/web/" in path:
            target = folder / Path(path).name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content, encoding="utf-8")
    shown: dict[str, object] = {}

    async def scenario() -> None:
        profile = tmp_path / "profile"
        browser = await launch_chromium((folder / "index.html").as_uri(), profile, tmp_path / "chromium.log",
                                        ("--remote-debugging-port=0", "--allow-file-access-from-files"))
        try:
            page = await DevTools.attach(await devtools_port(profile))
            try:
                for _ in range(100):
                    if await page.evaluate("document.readyState === 'complete'"):
                        break
                    await asyncio.sleep(0.1)
                await asyncio.sleep(0.5)  # anything a spliced string scheduled would have run by now
                shown.update(await page.evaluate(SHOWN))
            finally:
                await page.close()
        finally:
            await stop_chromium(browser)

    asyncio.run(asyncio.wait_for(scenario(), 60))
    context = json.dumps(shown, indent=1)[:4000]
    assert shown["pwned"] is None, f"spec text ran as script\n{context}"
    assert shown["pageScript"] == "object", f"the page's own script did not run\n{context}"
    assert not {"img", "b", "iframe"} & set(shown["tags"]), context  # type: ignore[arg-type]
    assert shown["handlers"] == [], context
    expected = [label for c in plan.controls for label in ([b.label for b in c.buttons] if c.buttons else ["Send"])]
    assert shown["buttons"] == expected, context
    assert shown["controls"] == [c.title for c in plan.controls], context
    assert shown["editors"] == [c.editor for c in plan.controls if c.editor is not None], context
    assert plan.state is not None and shown["steps"] == list(plan.state.values), context
    assert isinstance(shown["heading"], str) and shown["heading"].startswith("Title </script><script>"), context
