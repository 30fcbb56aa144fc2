"""Lint Markdown documents and bank questions: curated rules on prose and code, plus code-block checks."""

from __future__ import annotations

import ast
import importlib
import importlib.util
import re
from dataclasses import asdict, dataclass
from functools import lru_cache

from prepdeck.catalog.lint.rules import HISTORY_MARKERS, RULES

CHECKED_PACKAGES = ("django", "rest_framework")
_FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})\s*([\w+-]*)")


@dataclass(frozen=True)
class Finding:
    file: str
    line: int
    rule: str
    message: str
    fix: str

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass
class Block:
    """A run of text or code with the file line it starts on."""

    text: str
    line: int
    is_code: bool
    language: str = ""


def split_blocks(markdown: str, *, first_line: int = 1) -> list[Block]:
    """Split Markdown into prose and fenced code blocks (an unclosed fence runs to the end)."""
    blocks: list[Block] = []
    prose: list[str] = []
    prose_start = first_line
    code: list[str] = []
    fence: str | None = None
    language = ""
    code_start = 0
    for number, line in enumerate(markdown.split("\n"), start=first_line):
        match = _FENCE.match(line)
        if fence is None and match:
            blocks.append(Block("\n".join(prose), prose_start, False))
            prose = []
            fence, language, code_start, code = match.group(2)[0] * 3, match.group(3).lower(), number + 1, []
            indent = len(match.group(1))
            continue
        if fence is not None and line.strip().startswith(fence) and line.strip().strip(fence[0]) == "":
            blocks.append(Block("\n".join(_dedent(code, indent)), code_start, True, language))
            fence = None
            prose_start = number + 1
            continue
        (code if fence is not None else prose).append(line)
    if fence is not None:
        blocks.append(Block("\n".join(_dedent(code, indent)), code_start, True, language))
    else:
        blocks.append(Block("\n".join(prose), prose_start, False))
    return [block for block in blocks if block.text.strip()]


def _dedent(lines: list[str], indent: int) -> list[str]:
    return [line[indent:] if line[:indent].strip() == "" else line for line in lines]


def _rule_findings(file: str, block: Block) -> list[Finding]:
    """Each rule matched against the whole block, so that a construct spread over lines is found.

    In Python code that parses, a rule with an AST ``construct`` is decided by the syntax tree instead.
    """
    findings = []
    lines = block.text.split("\n")
    tree = _parse_python(block) if block.is_code else None
    for rule in RULES:
        if rule.code_only and not block.is_code:
            continue
        if tree is not None and rule.construct is not None:
            offsets = {getattr(node, "lineno", 1) - 1 for node in ast.walk(tree) if rule.construct(node)}
            findings += [
                Finding(file, block.line + offset, rule.id, rule.message, rule.fix) for offset in offsets
            ]
            continue
        matched_lines: set[int] = set()  # one finding per rule and line, however often it matches there
        for match in rule.pattern.finditer(block.text):
            offset = block.text.count("\n", 0, match.start())
            if offset in matched_lines:
                continue
            matched_lines.add(offset)
            line = lines[offset]
            if block.is_code:
                context = line.split("#", 1)[1] if "#" in line else ""
            else:
                column = match.start() - (block.text.rfind("\n", 0, match.start()) + 1)
                context = _sentence_around(lines, offset, column)
            if rule.history_exempt and HISTORY_MARKERS.search(context):
                continue
            findings.append(Finding(file, block.line + offset, rule.id, rule.message, rule.fix))
    return findings


def _parse_python(block: Block) -> ast.Module | None:
    """The block's syntax tree when it is Python that parses, else None."""
    if not _looks_like_python(block):
        return None
    try:
        return ast.parse(block.text)
    except SyntaxError:
        return None


_SENTENCE_END = re.compile(r"[.!?](\s|$)|\n\s*\n")


def _sentence_around(lines: list[str], offset: int, column: int) -> str:
    """The prose sentence containing a match, which may span wrapped lines."""
    text = "\n".join(lines)
    position = sum(len(line) + 1 for line in lines[:offset]) + column
    start = 0
    for end_match in _SENTENCE_END.finditer(text, 0, position):
        start = end_match.end()
    following = _SENTENCE_END.search(text, position)
    return text[start : following.end() if following else len(text)]


def _looks_like_python(block: Block) -> bool:
    if block.language in {"python", "py", "python3"}:
        return True
    if block.language:
        return False
    return bool(
        re.search(r"^\s*(from\s+\w+(\.\w+)*\s+import|import\s+\w+|def\s+\w+\(|class\s+\w+)", block.text, re.M)
    )


@lru_cache(maxsize=2048)
def _resolve(module: str, name: str | None) -> str | None:
    """Why ``from module import name`` fails against the installed packages, or None when it works."""
    try:
        if importlib.util.find_spec(module) is None:
            return f"module {module} does not exist"
    except (ImportError, ValueError):
        return f"module {module} does not exist"
    if name is None or name == "*":
        return None
    try:
        imported = importlib.import_module(module)
    except Exception:  # installed but not importable here (an optional driver is missing): cannot judge
        return None
    if hasattr(imported, name):
        return None
    if hasattr(imported, "__path__"):  # a package: the name may be a submodule
        try:
            if importlib.util.find_spec(f"{module}.{name}") is not None:
                return None
        except (ImportError, ValueError):
            pass
    return f"{module} has no {name}"


_VERSION_LABEL = re.compile(r"#[^\n]*\bDjango\s+(\d+)\.(\d+)\+?", re.IGNORECASE)


def _written_for_newer_django(code: str) -> bool:
    """Whether a comment labels the code as for a Django newer than the installed one (e.g. '# Django 6.0+'),
    in which case its imports are not expected to resolve here."""
    import django

    installed = django.VERSION[:2]
    return any((int(major), int(minor)) > installed for major, minor in _VERSION_LABEL.findall(code))


def _code_findings(file: str, block: Block) -> list[Finding]:
    if not _looks_like_python(block):
        return []
    try:
        tree = ast.parse(block.text)
    except SyntaxError as error:
        line = block.line + (error.lineno or 1) - 1
        return [
            Finding(
                file,
                line,
                "PY001",
                f"Python code does not parse: {error.msg}",
                "Fix the code block's syntax.",
            )
        ]
    findings = []
    for node in ast.walk(tree):
        pairs: list[tuple[str, str | None]] = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            pairs = [(node.module, alias.name) for alias in node.names]
        elif isinstance(node, ast.Import):
            pairs = [(alias.name, None) for alias in node.names]
        for module, name in pairs:
            if module.split(".")[0] not in CHECKED_PACKAGES or _written_for_newer_django(block.text):
                continue
            problem = _resolve(module, name)
            if problem:
                findings.append(
                    Finding(
                        file,
                        block.line + getattr(node, "lineno", 1) - 1,
                        "IMP001",
                        f"Import does not resolve against the installed versions: {problem}.",
                        "Check the current documentation for where this name lives now.",
                    )
                )
    return findings


def lint_markdown(file: str, markdown: str, *, first_line: int = 1) -> list[Finding]:
    """Every finding in a Markdown text, in line order."""
    findings: list[Finding] = []
    for block in split_blocks(markdown, first_line=first_line):
        findings.extend(_rule_findings(file, block))
        if block.is_code:
            findings.extend(_code_findings(file, block))
    return sorted(findings, key=lambda finding: (finding.line, finding.rule))


def lint_code(file: str, code: str, *, language: str = "python", first_line: int = 1) -> list[Finding]:
    """Findings for one code example (a bank question's ``code_examples`` entry)."""
    block = Block(code, first_line, True, language)
    return sorted(_rule_findings(file, block) + _code_findings(file, block), key=lambda f: (f.line, f.rule))


def lint_bank_question(file: str, line: int, question: dict[str, object]) -> list[Finding]:
    """Findings in one bundled-bank question; ``line`` is where its key stands in the data file."""
    findings: list[Finding] = []
    texts = [question.get("short_answer", ""), question.get("explanation", ""), question.get("prompt", "")]
    texts += list(question.get("common_mistakes", []) or [])  # type: ignore[call-overload]
    for text in texts:
        findings.extend(lint_markdown(file, str(text), first_line=line))
    for example in question.get("code_examples", []) or []:  # type: ignore[attr-defined]
        findings.extend(
            lint_code(file, example["code"], language=example.get("language", "python"), first_line=line)
        )
    # Every finding of a question points at the question's key line.
    return [Finding(f.file, line, f.rule, f.message, f.fix) for f in findings]
