"""The pure core of search: parsing queries, identifiers, spelling choices and snippet HTML."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prepdeck.search.backends import postgresql, sqlite
from prepdeck.search.query import (
    Facets,
    ParsedQuery,
    Term,
    choose_correction,
    clean_query_text,
    edit_variants,
    highlight_terms,
    identifier_words,
    join_identifier,
    parse_query,
    snippet_html,
    snippet_marked,
    snippet_source,
    term_weights,
    vocabulary_words,
)


def _shape(query: ParsedQuery) -> list[list[str]]:
    return [[term.display() for term in group] for group in query.groups]


def test_words_are_all_required_and_stop_words_dropped() -> None:
    parsed = parse_query("How do I avoid N+1 queries?")

    assert _shape(parsed) == [["avoid"], ["n+1"], ["queries"]]
    assert parsed.excluded == ()


def test_quotes_make_a_phrase_minus_excludes_and_or_joins_its_neighbours() -> None:
    parsed = parse_query('"full text search" postgres -mysql celery or redis -"raw sql"')

    assert _shape(parsed) == [['"full text search"'], ["postgres"], ["celery", "redis"]]
    assert [term.display() for term in parsed.excluded] == ["mysql", '"raw sql"']


def test_identifiers_keep_their_form_and_get_a_joined_word() -> None:
    terms = parse_query("select_related @action get_object_or_404 n+1 @api_view").terms()

    assert [(term.identifier, term.joined, term.words) for term in terms] == [
        ("select_related", "selectrelated", ("select", "related")),
        ("@action", "ataction", ("action",)),
        ("get_object_or_404", "getobjector404", ("get", "object", "or", "404")),
        ("n+1", "nplus1", ("n", "1")),
        ("@api_view", "atapiview", ("api", "view")),
    ]


def test_the_index_side_gives_the_same_joined_words() -> None:
    text = "Use `select_related()` or @action(detail=True); get_object_or_404 avoids N+1. @api_view too."

    assert identifier_words(text).split() == [
        "ataction",
        "atapiview",
        "selectrelated",
        "getobjector404",
        "nplus1",
        "apiview",
    ]
    assert join_identifier("reviews__rating__gte") == "reviewsratinggte"


def test_dotted_names_and_hyphenated_words_are_phrases_versions_stay_whole() -> None:
    assert _shape(parse_query("request.user django-celery-beat 5.2")) == [
        ['"request user"'],
        ['"django celery beat"'],
        ["5.2"],
    ]


@pytest.mark.parametrize(
    "query", ["", "   ", "!!!", "&|!:*", "-", '""', '-"', "the and of", "-celery", "or or", "_", "@", "\x00"]
)
def test_queries_without_searchable_words_are_empty(query: str) -> None:
    assert parse_query(query).is_empty


def test_control_characters_and_compatibility_forms_are_cleaned() -> None:
    fullwidth = "\uff43\uff45\uff4c\uff45\uff52\uff59"  # "celery" in fullwidth letters

    assert clean_query_text(f"{fullwidth}\x00\tbeat\u200b ") == "celery beat\u200b"
    assert _shape(parse_query(f"{fullwidth}\x00beat")) == [["celery"], ["beat"]]


def test_abbreviations_expand_only_when_asked_and_postgres_always() -> None:
    parsed = parse_query("fts drf postgres")

    assert parsed.abbreviations() == ["fts", "drf", "postgres"]
    expanded = parsed.expanded({"fts"})
    assert _shape(expanded) == [
        ["fts", '"full text search"'],
        ["drf"],
        ["postgres", "postgresql"],
    ]
    assert [term.expansion for term in expanded.terms()] == [False, True, False, False, True]


def test_spellable_words_skip_stop_words_abbreviations_short_words_and_numbers() -> None:
    parsed = parse_query("the celry drf 404 ab prefetch_relatd celry")

    assert parsed.spellable_words() == ["celry", "prefetch", "relatd"]


def test_corrections_replace_words_in_terms_identifiers_and_the_text() -> None:
    parsed = parse_query("How does Celry beat use prefetch_relatd?")

    corrected = parsed.corrected({"celry": "celery", "relatd": "related"})

    assert _shape(corrected) == [["celery"], ["beat"], ["use"], ["prefetch_related"]]
    assert corrected.terms()[-1].joined == "prefetchrelated"
    assert corrected.text == "How does celery beat use prefetch_related?"


@pytest.mark.parametrize(
    ("word", "candidates", "expected"),
    [
        ("celry", [("celery", 17), ("cell", 2)], "celery"),
        ("idempotnet", [("idempotent", 9)], "idempotent"),  # a swap of neighbours is one edit
        ("serialzer", [("serializer", 60), ("serialize", 5)], "serializer"),
        ("celery", [("celery", 17)], None),  # known
        ("queries", [("query", 80)], None),  # same stem: known
        ("cache", [("caches", 3)], None),
        ("foo", [("for", 300), ("food", 1)], None),  # the closest is a stop word
        ("xyzzy", [("fuzzy", 1)], None),  # too far for a short word
        ("postgress", [("postgres", 20), ("postgresql", 90)], "postgres"),
        ("beat", [("bean", 1), ("best", 5)], "best"),  # equally close: the more frequent one
    ],
)
def test_choose_correction(word: str, candidates: list[tuple[str, int]], expected: str | None) -> None:
    assert choose_correction(word, candidates) == expected


def test_vocabulary_words_are_lower_case_words_of_three_or_more_letters() -> None:
    assert vocabulary_words("Use select_related() twice; N+1 in 2024 is OK. Über-fast") == {
        "use",
        "select",
        "related",
        "twice",
        "über",
        "fast",
    }


def test_snippets_escape_everything_but_the_marks() -> None:
    raw = "Use \ue000select\ue001_\ue000related\ue001 <script>alert(1)</script> & `code` **bold** \ue000x"

    assert snippet_html(raw) == (
        "Use <mark>select_related</mark> &lt;script&gt;alert(1)&lt;/script&gt; &amp; code bold <mark>x</mark>"
    )
    assert snippet_html("\ue001stray\ue000\ue000twice\ue001\ue001") == "stray<mark>twice</mark>"


def _snippet(text: str, query: str) -> str:
    return snippet_html(snippet_marked(text, highlight_terms(parse_query(query))))


def test_snippets_mark_every_form_of_a_word_by_its_stem_and_a_short_text_whole() -> None:
    text = "Paginate the API: pagination of APIs, paginated queries. A query or two."

    assert _snippet(text, "how do I paginate an api query") == (
        "<mark>Paginate</mark> the <mark>API</mark>: <mark>pagination</mark> of <mark>APIs</mark>, "
        "<mark>paginated</mark> <mark>queries</mark>. A <mark>query</mark> or two."
    )
    # words that merely start like a term are not marked
    assert _snippet("Apiary pages and paging.", "api paginate") == "Apiary pages and paging."


def test_snippets_mark_phrases_and_identifiers_only_where_their_words_follow_each_other() -> None:
    text = "Avoid N+1 with select_related; n is 1 here, and select what is related."

    assert _snippet(text, "n+1 select_related") == (
        "Avoid <mark>N+1</mark> with <mark>select_related</mark>; n is 1 here, and select what is related."
    )
    assert _snippet("Raw SQL is fine; sql that is raw is not.", '"raw sql"') == (
        "<mark>Raw SQL</mark> is fine; sql that is raw is not."
    )


def test_a_long_text_gives_the_fragments_showing_the_most_terms_in_order() -> None:
    filler = " ".join(f"w{number}" for number in range(60))
    text = (
        f"{filler} Celery retries tasks. {filler} Celery beat schedules tasks. {filler} Beat again. {filler}"
    )

    snippet = _snippet(text, "celery beat")

    # the earliest fragment showing both terms comes first; the retries' fragment adds none
    assert snippet.startswith("…")
    assert snippet.endswith("…")
    assert "<mark>Celery</mark> <mark>beat</mark> schedules tasks." in snippet
    assert "retries" not in snippet
    assert "again" not in snippet
    assert " … " not in snippet
    assert len(snippet.replace("<mark>", "").replace("</mark>", "")) < 220
    # a second fragment when it shows a term the first does not; fragments end between words
    two = _snippet(text, "retries schedules")
    assert two.count(" … ") == 1
    assert two.index("<mark>retries</mark>") < two.index("<mark>schedules</mark>")
    assert all(piece.strip("…").split()[0].startswith(("w", "<mark>")) for piece in two.split(" … "))


def test_fragments_are_chosen_among_the_first_matches_of_a_text_that_repeats_the_query() -> None:
    # thousands of matches (a crafted or pasted text): the fragments come from the first
    # SNIPPET_MATCHES_CONSIDERED of them, so a snippet's work stays bounded; the marks are still right
    from prepdeck.search.query import SNIPPET_MATCHES_CONSIDERED

    text = "celery " * (SNIPPET_MATCHES_CONSIDERED + 1000) + "beat " * 1000

    snippet = _snippet(text, "celery beat")

    assert snippet.startswith("<mark>celery</mark> <mark>celery</mark>")
    assert "beat" not in snippet  # beat's first match is past the ones considered
    assert snippet.endswith("…")
    # with a few matches, the second term gets its own fragment as usual
    assert _snippet("celery " * 100 + "beat " * 100, "celery beat").count("<mark>beat</mark>") > 0


def test_matches_are_found_in_any_case_and_after_letters_whose_lower_case_is_longer() -> None:
    # "İ" lower-cased is two characters: the text's positions are kept all the same
    assert _snippet("İSTANBUL: CELERY Beat, celery BEAT.", "celery beat") == (
        "İSTANBUL: <mark>CELERY</mark> <mark>Beat</mark>, <mark>celery</mark> <mark>BEAT</mark>."
    )
    assert _snippet("SELECT_RELATED avoids N+1.", "select_related n+1") == (
        "<mark>SELECT_RELATED</mark> avoids <mark>N+1</mark>."
    )


def test_a_long_text_without_a_match_gives_its_start() -> None:
    text = " ".join(f"word{number}" for number in range(100))

    assert _snippet(text, "celery").startswith("word0 word1 word2")
    assert _snippet(text, "celery").endswith("…")


def test_the_snippet_source_is_the_answer_then_key_points_as_sentences_then_the_explanation() -> None:
    source = snippet_source("It depends", '["Offset reads skipped rows", "Cursor is stable."]', "More.")

    assert source == "It depends.\nOffset reads skipped rows.\nCursor is stable.\nMore."
    assert snippet_source("", ["A point"], "") == "A point."
    assert snippet_source("Answer!", "not json", "") == "Answer!"


@given(st.text(max_size=400), st.text(max_size=40))
def test_snippets_are_safe_html_for_any_text_and_query(text: str, query: str) -> None:
    snippet = snippet_html(snippet_marked(text, highlight_terms(parse_query(clean_query_text(query)))))

    assert snippet.replace("<mark>", "").replace("</mark>", "").count("<") == 0
    assert snippet.count("<mark>") == snippet.count("</mark>")


def test_facets_add_up_and_sort_largest_first() -> None:
    facets = Facets.from_rows(
        [("django-orm", "basic", 2), ("celery", "basic", 1), ("django-orm", "advanced", 3)]
    )

    assert facets.topic == {"django-orm": 5, "celery": 1}
    assert facets.difficulty == {"advanced": 3, "basic": 3}
    assert facets.total == 6


def test_rendered_queries_hold_only_sanitised_terms() -> None:
    parsed = parse_query('select_related "n+1 queries" -mysql celery or redis').expanded(set())

    assert sqlite.match_text(parsed) == (
        '(((identifiers : "selectrelated" AND "select related")) AND ("n+1 queries") '
        'AND ("celery" OR "redis")) NOT ("mysql")'
    )
    assert postgresql.tsquery_sql(parsed)[1] == [
        'selectrelated "select related"',
        '"n+1 queries"',
        "celery or redis",
        "mysql",
    ]


_FTS_SYNTAX = re.compile(r'"[^"]*"|\(|\)|\bAND\b|\bOR\b|\bNOT\b|identifiers :|prompt :|\s+')


@given(st.text(max_size=200))
def test_any_text_parses_and_renders_to_plain_quoted_terms(text: str) -> None:
    parsed = parse_query(text)
    if parsed.is_empty:
        return
    for any_term in (False, True):
        # Everything outside quoted strings is our own syntax: no user character escapes its quotes.
        assert _FTS_SYNTAX.sub("", sqlite.match_text(parsed, any_term=any_term)) == ""
        assert _FTS_SYNTAX.sub("", sqlite.prompt_match_text(parsed)) == ""
    for piece in postgresql.tsquery_sql(parsed, any_term=True)[1]:
        assert re.fullmatch(r'[\w. "+@]*', piece), piece
    assert all(isinstance(term, Term) and term.words for term in parsed.terms())


def test_edit_variants_are_every_spelling_one_edit_away() -> None:
    assert edit_variants("djnago")[:3] == ["jdnago", "dnjago", "django"]  # swaps first
    assert "django" in edit_variants("djangoo")  # a letter too many
    assert "celery" in edit_variants("celry")  # a letter missing
    assert "select" in edit_variants("selext")  # a letter replaced
    variants = edit_variants("celry")
    assert (
        len(variants) == len(set(variants)) == 285
    )  # 4 swaps, 5 deletions, 125 replacements, 151 insertions
    assert "celry" not in variants
    assert edit_variants("abc")[:4] == ["bac", "acb", "bbc", "cbc"]  # "bc" and "ac" are too short
    assert all(len(variant) >= 3 for variant in edit_variants("abc"))


def test_term_weights_favour_rare_words() -> None:
    query = parse_query("how do I paginate an api")

    paginate, api = term_weights(query, {"paginate": 5, "api": 80})

    assert paginate > api
    assert term_weights(query, {}) == [term_weights(query, {})[0]] * 2


def test_a_fragment_keeps_its_match_after_a_dotted_path_and_at_its_end() -> None:
    filler = " ".join(f"w{number}" for number in range(60))
    dotted = f"{filler} Import django.contrib.postgres.search.SearchVector and annotate. {filler}"
    # no space in the 30 characters before the match: the fragment starts at the match, not after it
    assert _snippet(dotted, "searchvector").startswith("…<mark>SearchVector</mark> and annotate.")
    # a match ending where the window ends, punctuation after it: still marked
    tail = f"{filler} {'x' * 150} celery beat, then more. {filler}"
    assert "<mark>celery</mark> <mark>beat</mark>" in _snippet(tail, "celery beat")


def test_the_longer_of_two_terms_starting_with_the_same_word_is_marked() -> None:
    assert _snippet("Cache invalidation is hard; a cache is not.", 'cache "cache invalidation"') == (
        "<mark>Cache invalidation</mark> is hard; a <mark>cache</mark> is not."
    )


def test_a_phrase_s_stop_words_match_any_word_as_postgresql_matches_them() -> None:
    # websearch_to_tsquery keeps only the stop words' places: "cache of the database" finds this text
    assert _snippet("A cache of a database helps.", '"cache of the database"') == (
        "A <mark>cache of a database</mark> helps."
    )
    assert _snippet("The cache helps.", '"the cache"') == "The <mark>cache</mark> helps."


def test_words_whose_stem_is_not_their_start_and_accented_words_are_marked() -> None:
    assert _snippet("Dying and lying are words.", "dying lying") == (
        "<mark>Dying</mark> and <mark>lying</mark> are words."
    )
    # SQLite's index folds accents (remove_diacritics): "cafe" finds "café", and marks it
    assert _snippet("Un café au lait.", "cafe") == "Un <mark>café</mark> au lait."
