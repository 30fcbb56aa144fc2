"""The search API (``/api/v1/``): ranked full-text search with facets, and questions like a given one.

Views are thin: they parse the query string with a serializer and call ``search.selectors``.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from prepdeck.accounts import roles
from prepdeck.catalog.models import Difficulty, QuestionStatus
from prepdeck.core.api.schema import errors
from prepdeck.core.exceptions import PermissionDenied
from prepdeck.search import selectors
from prepdeck.search.query import MAX_QUERY_LENGTH

ANY_STATUS = "any"

# --- serializers ----------------------------------------------------------------------------------------


class SearchParamsSerializer(serializers.Serializer[Any]):
    q = serializers.CharField(
        max_length=MAX_QUERY_LENGTH,
        help_text=(
            'What to look for. All words must match; "quoted words" match as a phrase, -word excludes, '
            "a or b matches either. Code identifiers match as written (select_related, @action)."
        ),
    )
    topic = serializers.SlugField(
        max_length=80, required=False, help_text="A topic slug; includes the topics below it."
    )
    difficulty = serializers.ChoiceField(choices=Difficulty.choices, required=False)
    tag = serializers.ListField(
        child=serializers.SlugField(max_length=60),
        required=False,
        max_length=selectors.MAX_TAGS,
        help_text="A tag slug; repeat it to require several tags.",
    )
    status = serializers.ChoiceField(
        choices=[*QuestionStatus.choices, (ANY_STATUS, "Any")],
        default=QuestionStatus.PUBLISHED,
        help_text="Editors only, except published (the default).",
    )
    limit = serializers.IntegerField(min_value=1, max_value=selectors.MAX_LIMIT, default=20)
    offset = serializers.IntegerField(min_value=0, max_value=selectors.MAX_OFFSET, default=0)


class SimilarParamsSerializer(serializers.Serializer[Any]):
    limit = serializers.IntegerField(min_value=1, max_value=20, default=5)


class SearchHitSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    key = serializers.CharField()
    prompt = serializers.CharField()
    topic = serializers.CharField(help_text="The topic's slug.")
    difficulty = serializers.ChoiceField(choices=Difficulty.choices)
    snippet = serializers.CharField(
        help_text="HTML: an excerpt of the answer with the matches in <mark>; everything else is escaped."
    )
    score = serializers.FloatField(help_text="Relevance; compare it only within one response.")


class SearchFacetsSerializer(serializers.Serializer[Any]):
    topic = serializers.DictField(
        child=serializers.IntegerField(), help_text="Matching questions per topic slug."
    )
    difficulty = serializers.DictField(
        child=serializers.IntegerField(), help_text="Matching questions per difficulty."
    )


class SearchResultSerializer(serializers.Serializer[Any]):
    count = serializers.IntegerField(
        help_text=f"How many questions match, counted up to {selectors.COUNTED_MATCHES:,} (see count_exact)."
    )
    count_exact = serializers.BooleanField(
        help_text=f"False when more than {selectors.COUNTED_MATCHES:,} questions match: count is then that "
        f'number (show "{selectors.COUNTED_MATCHES:,}+") and the facets are those of the first '
        f"{selectors.COUNTED_MATCHES:,} matches."
    )
    results = SearchHitSerializer(many=True)
    facets = SearchFacetsSerializer()
    suggestion = serializers.CharField(
        allow_null=True,
        help_text="The query with misspelled words corrected, or null. When the query as typed finds "
        "nothing, the results are those of the suggestion.",
    )


class SimilarResultSerializer(serializers.Serializer[Any]):
    results = SearchHitSerializer(many=True)


# --- views ----------------------------------------------------------------------------------------------


class SearchApi(APIView):
    permission_classes = (permissions.AllowAny,)

    @extend_schema(
        tags=["search"],
        summary="Search questions: ranked results with highlighted snippets, counts by topic and difficulty",
        parameters=[SearchParamsSerializer],
        responses={200: SearchResultSerializer, **errors(400, 403)},
    )
    def get(self, request: Request) -> Response:
        params = SearchParamsSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        values = params.validated_data
        status = values["status"]
        if status != QuestionStatus.PUBLISHED and not roles.is_editor(request.user):
            raise PermissionDenied("Only editors can search questions that are not published.")
        result = selectors.search_questions(
            values["q"],
            topic=values.get("topic"),
            difficulty=values.get("difficulty"),
            tags=values.get("tag", []),
            status=None if status == ANY_STATUS else status,
            limit=values["limit"],
            offset=values["offset"],
        )
        return Response(SearchResultSerializer(result.as_dict()).data)


class SimilarQuestionsApi(APIView):
    permission_classes = (permissions.AllowAny,)

    @extend_schema(
        tags=["search"],
        summary="Published questions most like this one (by its prompt and tags)",
        parameters=[SimilarParamsSerializer],
        responses={200: SimilarResultSerializer, **errors(400, 404)},
    )
    def get(self, request: Request, question_id: int) -> Response:
        params = SimilarParamsSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        hits = selectors.similar_questions(
            user=request.user, question_id=question_id, limit=params.validated_data["limit"]
        )
        return Response(SimilarResultSerializer({"results": [hit.as_dict() for hit in hits]}).data)
