"""Every relative link of the documentation points at something that exists.

The pages checked are ``README.md``, ``docs/*.md`` and ``docs/methods/*.md``.
A relative link (``[text](path)``, ``[text](path#anchor)``,
``[text](#anchor)``, images included) must name an existing file or folder,
relative to the page; its ``#anchor``, where the target is a markdown page,
must be the anchor of one of that page's headings, as GitHub makes them
(lower case, punctuation dropped, spaces to hyphens, ``-1``, ``-2`` for
repeated headings). Links to web addresses are not followed. Links inside
code blocks and code spans are not links and are ignored.
"""
import re
from pathlib import Path
from typing import Dict, List, Set, Tuple

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]

FENCE = re.compile(r'^(```|~~~).*?^\1[ \t]*$', re.S | re.M)
CODE_SPAN = re.compile(r'(`+)(?!`).+?(?<!`)\1(?!`)', re.S)
# [text](target) or [text](target "title"); ![alt](target) included
INLINE_LINK = re.compile(r'\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)')
# [label]: target
REFERENCE_LINK = re.compile(r'^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)', re.M)
HEADING = re.compile(r'^ {0,3}(#{1,6})[ \t]+(.+?)[ \t#]*$', re.M)
EXTERNAL = re.compile(r'^(?:[a-zA-Z][a-zA-Z0-9+.-]*:|//)')


def pages() -> List[Path]:
    """The documentation pages whose links are checked."""
    docs = REPO_ROOT / 'docs'
    return [REPO_ROOT / 'README.md'] + sorted(docs.glob('*.md')) + sorted(
        (docs / 'methods').glob('*.md'))


def _without_code(text: str) -> str:
    return CODE_SPAN.sub('', FENCE.sub('', text))


def links(text: str) -> List[str]:
    """The link targets of a markdown text, outside code."""
    text = _without_code(text)
    return INLINE_LINK.findall(text) + REFERENCE_LINK.findall(text)


def slug(heading: str) -> str:
    """GitHub's anchor of a heading text (before de-duplication)."""
    text = re.sub(r'!?\[([^\]]*)\]\([^)]*\)', r'\1', heading)  # link text
    text = re.sub(r'<[^>]+>', '', text).replace('`', '').lower()
    text = re.sub(r'[^\w\- ]', '', text)
    return text.replace(' ', '-')


def anchors(text: str) -> Set[str]:
    """The anchors of every heading of a markdown text."""
    seen: Dict[str, int] = {}
    out = set()
    for _, heading in HEADING.findall(FENCE.sub('', text)):
        base = slug(heading)
        count = seen.get(base, 0)
        seen[base] = count + 1
        out.add(base if count == 0 else f'{base}-{count}')
    return out


def broken_links(page: Path) -> List[Tuple[str, str]]:
    """``(link, problem)`` for every relative link of ``page`` that does not
    resolve."""
    text = page.read_text(encoding='utf-8')
    problems = []
    for link in links(text):
        if EXTERNAL.match(link):
            continue
        path, _, anchor = link.partition('#')
        target = (page.parent / path).resolve() if path else page
        if not target.exists():
            problems.append((link, f'{target} does not exist'))
            continue
        if anchor and target.suffix == '.md':
            if anchor not in anchors(target.read_text(encoding='utf-8')):
                problems.append(
                    (link, f'{target.name} has no heading with anchor '
                     f'#{anchor}'))
    return problems


# ------------------------------------------------------- the checker itself
def test_slug_follows_github() -> None:
    assert slug('Export a deployable student') == \
        'export-a-deployable-student'
    assert slug('`plot_adw.py` — LDRLD\'s adaptive decay weights') == \
        'plot_adwpy--ldrlds-adaptive-decay-weights'
    assert slug('`MultiScaleLogits` recorder (`MultiScaleLogitsRecorder`, '
                'mmrazor `TASK_UTILS`)') == \
        'multiscalelogits-recorder-multiscalelogitsrecorder-mmrazor-' \
        'task_utils'
    assert slug('1. Install') == '1-install'
    assert anchors('# A\n## A\n```\n# A\n```\n### A\n') == \
        {'a', 'a-1', 'a-2'}


def test_links_found_outside_code_only() -> None:
    text = ('See [a](a.md), ![img](img/x.png "t") and [web](https://x.org).\n'
            '`[not](code.md)` and\n```\n[not](block.md)\n```\n'
            '[ref]: ref.md\n')
    assert links(text) == ['a.md', 'img/x.png', 'https://x.org', 'ref.md']


def test_broken_links_are_reported(tmp_path: Path) -> None:
    (tmp_path / 'sub').mkdir()
    (tmp_path / 'sub' / 'other.md').write_text('# Real heading\n')
    page = tmp_path / 'page.md'
    page.write_text('# Top\n[ok](sub/other.md#real-heading) [self](#top) '
                    '[dir](sub/) [missing](nope.md) '
                    '[bad anchor](sub/other.md#unreal) [gone](#nowhere)\n')
    problems = dict(broken_links(page))
    assert set(problems) == {'nope.md', 'sub/other.md#unreal', '#nowhere'}
    assert 'does not exist' in problems['nope.md']
    assert 'no heading with anchor #unreal' in problems['sub/other.md#unreal']


# ------------------------------------------------------------ the real docs
def test_pages_are_found_with_their_links() -> None:
    names = {p.relative_to(REPO_ROOT).as_posix() for p in pages()}
    assert {'README.md', 'docs/tools.md', 'docs/methods/ldrld.md'} <= names
    relative = [
        link for page in pages()
        for link in links(page.read_text(encoding='utf-8'))
        if not EXTERNAL.match(link)
    ]
    # the docs cross-link each other: a checker that finds none is broken
    assert len(relative) >= 20, relative
    assert '../tools.md#training-diagnostics' in relative


@pytest.mark.parametrize(
    'page', pages(), ids=lambda p: p.relative_to(REPO_ROOT).as_posix())
def test_relative_links_resolve(page: Path) -> None:
    problems = broken_links(page)
    assert not problems, f'{page.relative_to(REPO_ROOT)}: broken links: ' + \
        '; '.join(f'({link}) {why}' for link, why in problems)
