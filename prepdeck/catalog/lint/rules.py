"""The curated table of removed or misused Django settings and APIs."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from dataclasses import dataclass

# Whether a node of parsed Python code is the construct a rule is about.
Construct = Callable[[ast.AST], bool]


@dataclass(frozen=True)
class Rule:
    id: str
    # Matched against a whole prose or code block, so a construct written over several lines is found;
    # patterns keep to one line (``[^\n]``) unless the construct itself may span lines.
    pattern: re.Pattern[str]
    message: str
    fix: str
    code_only: bool = False  # match only inside code blocks (the name is harmless in prose)
    # A sentence saying "removed"/"deprecated" normally describes history; for a misuse rule about a false
    # deprecation claim that word is the finding itself.
    history_exempt: bool = True
    # In Python code that parses, the construct decides (comments and strings cannot trigger it); the
    # pattern is the fallback for code that does not parse.
    construct: Construct | None = None


def _rule(
    rule_id: str,
    pattern: str,
    message: str,
    fix: str,
    *,
    code_only: bool = False,
    history_exempt: bool = True,
    construct: Construct | None = None,
) -> Rule:
    return Rule(
        rule_id, re.compile(pattern, re.MULTILINE), message, fix, code_only, history_exempt, construct
    )


def _called_name(node: ast.Call) -> str | None:
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return node.func.id if isinstance(node.func, ast.Name) else None


def call_with_keyword(callee: str, keyword: str) -> Construct:
    """A call of ``callee`` (``CheckConstraint(...)`` or ``models.CheckConstraint(...)``) passing ``keyword=``."""

    def matches(node: ast.AST) -> bool:
        return (
            isinstance(node, ast.Call)
            and _called_name(node) == callee
            and any(argument.arg == keyword for argument in node.keywords)
        )

    return matches


def import_of(module_prefix: str, name: str) -> Construct:
    """``from <module_prefix>[.sub] import ..., name, ...`` (parenthesised over several lines or not)."""

    def matches(node: ast.AST) -> bool:
        return (
            isinstance(node, ast.ImportFrom)
            and (node.module or "").startswith(module_prefix)
            and any(alias.name == name for alias in node.names)
        )

    return matches


RULES: tuple[Rule, ...] = (
    _rule(
        "DJ001",
        r"\bSECURE_BROWSER_XSS_FILTER\b",
        "SECURE_BROWSER_XSS_FILTER was removed in Django 4.0; the X-XSS-Protection header it set is obsolete.",
        "Remove it; use a Content-Security-Policy instead (built in from Django 6.0).",
    ),
    _rule(
        "DJ002",
        r"\bdefault_app_config\b",
        "default_app_config was deprecated in Django 3.2 and removed in 4.1; AppConfig is found automatically.",
        "Delete default_app_config; set default = True on the AppConfig if an app has several.",
    ),
    _rule(
        "DJ003",
        r"\bindex_together\b",
        "Meta.index_together was deprecated in Django 4.2 and removed in 5.1.",
        "Use Meta.indexes = [models.Index(fields=[...])].",
    ),
    _rule(
        "DJ004",
        r"\bUSE_L10N\b",
        "USE_L10N was deprecated in Django 4.0 and removed in 5.0; localized formatting is always on.",
        "Remove the setting.",
    ),
    _rule(
        "DJ005",
        r"\b(STATICFILES_STORAGE|DEFAULT_FILE_STORAGE)\b",
        "STATICFILES_STORAGE and DEFAULT_FILE_STORAGE were deprecated in Django 4.2 and removed in 5.1.",
        'Configure STORAGES = {"default": {...}, "staticfiles": {...}}.',
    ),
    _rule(
        "DJ006",
        r"CheckConstraint\([^)]*\bcheck\s*=",
        "CheckConstraint(check=...) was deprecated in Django 5.1 in favour of condition= (removed in 6.0).",
        "Write CheckConstraint(condition=Q(...), name=...).",
        code_only=True,
        construct=call_with_keyword("CheckConstraint", "check"),
    ),
    _rule(
        "DJ007",
        r"unique_together[^.\n]{0,60}\b(is|was|has been)\s+deprecated",
        "unique_together is not deprecated; UniqueConstraint is preferred because it can do more.",
        "Say that Meta.constraints with UniqueConstraint is the more capable, recommended option.",
        history_exempt=False,
    ),
    _rule(
        "DJ008",
        r"\.extra\(",
        "QuerySet.extra() is a last resort the Django docs advise against; it is slated for deprecation.",
        "Use annotate() with expressions, Func, RawSQL, or raw() instead.",
        code_only=True,
    ),
    _rule(
        "DJ009",
        r"from\s+django\.conf\.urls\s+import\s+(\([^)]*|[^\n]*)\burl\b",
        "django.conf.urls.url() was deprecated in Django 3.1 and removed in 4.0.",
        "Use django.urls.path() or re_path().",
        code_only=True,
    ),
    _rule(
        "DJ010",
        r"\bu(gettext|ngettext|pgettext|npgettext)(_lazy|_noop)?\b",
        "The u-prefixed gettext aliases (ugettext...) were removed in Django 4.0.",
        "Use gettext / gettext_lazy and friends.",
    ),
    _rule(
        "DJ011",
        r"\bNullBooleanField\b",
        "NullBooleanField was removed in Django 4.0 (kept only for old migrations).",
        "Use BooleanField(null=True).",
    ),
    _rule(
        "DJ012",
        r"\.is_ajax\(\)",
        "HttpRequest.is_ajax() was deprecated in Django 3.1 and removed in 4.0.",
        "Check request.headers.get('x-requested-with') == 'XMLHttpRequest', or better the Accept header.",
    ),
    _rule(
        "DJ013",
        r"\b(force_text|smart_text)\b",
        "force_text and smart_text were removed in Django 4.0.",
        "Use force_str / smart_str.",
    ),
    _rule(
        "DJ014",
        r"\bMIDDLEWARE_CLASSES\b",
        "MIDDLEWARE_CLASSES was removed in Django 2.0.",
        "Use the MIDDLEWARE setting with new-style middleware.",
    ),
    _rule(
        "DJ015",
        r"django\.contrib\.postgres\.fields[\w.]*(\s+import\s+\([^)]*|[^\n]*)\bJSONField\b",
        "django.contrib.postgres.fields.JSONField was removed in Django 4.0.",
        "Use django.db.models.JSONField (works on every database backend).",
        code_only=True,
    ),
    _rule(
        "DJ016",
        r"\bdjango\.utils\.six\b|from\s+django\.utils\s+import\s+six\b",
        "django.utils.six was removed in Django 3.0.",
        "Use Python 3 directly.",
    ),
    _rule(
        "DJ017",
        r"django\.utils\.timezone\.utc\b|from\s+django\.utils\.timezone\s+import\s+(\([^)]*|[^\n]*)\butc\b",
        "django.utils.timezone.utc was removed in Django 5.0.",
        "Use datetime.timezone.utc (or datetime.UTC).",
        code_only=True,
    ),
    _rule(
        "DJ018",
        r"\|\s*length_is\b",
        "The length_is template filter was removed in Django 5.1.",
        "Use {% if value|length == 3 %}.",
    ),
    _rule(
        "DJ019",
        r"\bmake_random_password\b",
        "BaseUserManager.make_random_password() was removed in Django 5.1.",
        "Use secrets.token_urlsafe() or a password-reset link.",
    ),
    _rule(
        "DJ020",
        r"\bdjango\.utils\.baseconv\b",
        "django.utils.baseconv was removed in Django 5.0.",
        "Use django.core.signing's b62_encode/b62_decode or your own encoding.",
    ),
    _rule(
        "DJ021",
        r"\bUSE_DEPRECATED_PYTZ\b|^\s*import\s+pytz\b",
        "Django 5.0 removed pytz support; time zones come from zoneinfo.",
        "Use zoneinfo.ZoneInfo('Europe/Berlin').",
    ),
    _rule(
        "DJ022",
        r"\bPickleSerializer\b",
        "django.contrib.sessions.serializers.PickleSerializer was removed in Django 5.0 (it allowed code execution).",
        "Keep the default JSONSerializer.",
    ),
    _rule(
        "DJ023",
        r"\bDEFAULT_HASHING_ALGORITHM\b",
        "DEFAULT_HASHING_ALGORITHM was removed in Django 4.0.",
        "Remove the setting.",
    ),
    _rule(
        "DJ024",
        r"\{%\s*load\s+staticfiles\s*%\}",
        "{% load staticfiles %} was removed in Django 3.0.",
        "Use {% load static %}.",
    ),
)

# A prose sentence that says the API was removed or deprecated is describing history, not recommending it.
HISTORY_MARKERS = re.compile(
    r"\b(removed|deprecated|no longer|obsolete|replaced by|instead of|was dropped)\b", re.I
)
