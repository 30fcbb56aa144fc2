"""Live interviews API (``/api/v1/interviews/``): kits, sessions, invites, the events log, scorecards, the
packet and the candidate report. The same services and access rules as the socket and the pages: a session
that is not yours is "not found", and a candidate never reads rubrics, notes, ticks or scorecards."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from prepdeck.core.api import signed_in_user
from prepdeck.core.api.schema import errors
from prepdeck.core.exceptions import InvalidInput
from prepdeck.interviews import access, selectors, services
from prepdeck.interviews.access import MAX_ID, Participant
from prepdeck.interviews.models import InterviewSession, Kit, KitItem, Recommendation, Scorecard, SessionEvent

TAGS = ["interviews"]


# --- serializers ---


class RubricSerializer(serializers.Serializer[Any]):
    behaviours = serializers.ListField(
        child=serializers.CharField(max_length=500),
        max_length=20,
        required=False,
        help_text="One observable behaviour per key point.",
    )
    anchors = serializers.ListField(
        child=serializers.CharField(max_length=500),
        max_length=4,
        required=False,
        help_text="What each level looks like: Strong no, No, Yes, Strong yes.",
    )


class KitItemSerializer(serializers.ModelSerializer[KitItem]):
    prompt = serializers.CharField(read_only=True)
    key_points = serializers.ListField(child=serializers.CharField(), read_only=True)
    rubric = RubricSerializer(read_only=True)

    class Meta:
        model = KitItem
        fields = ("id", "order", "question", "prompt", "key_points", "suggested_minutes", "rubric")


class KitSerializer(serializers.ModelSerializer[Kit]):
    class Meta:
        model = Kit
        fields: tuple[str, ...] = ("id", "title", "description", "copied_from", "created_at", "updated_at")


class KitDetailSerializer(KitSerializer):
    items = KitItemSerializer(many=True, read_only=True)

    class Meta(KitSerializer.Meta):
        fields = (*KitSerializer.Meta.fields, "items")


class KitInputSerializer(serializers.Serializer[Any]):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=services.MAX_TEXT_CHARS, allow_blank=True, default="")


class KitUpdateSerializer(serializers.Serializer[Any]):
    title = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(max_length=services.MAX_TEXT_CHARS, allow_blank=True, required=False)


class KitItemInputSerializer(serializers.Serializer[Any]):
    question = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=MAX_ID, help_text="A published question."
    )
    custom_prompt = serializers.CharField(max_length=services.MAX_TEXT_CHARS, allow_blank=True, default="")
    custom_key_points = serializers.ListField(
        child=serializers.CharField(max_length=500), max_length=20, default=list
    )
    suggested_minutes = serializers.IntegerField(min_value=1, max_value=180, default=10)
    rubric = RubricSerializer(required=False)


class ReorderSerializer(serializers.Serializer[Any]):
    item_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID), max_length=services.MAX_KIT_ITEMS
    )


class SessionSerializer(serializers.ModelSerializer[InterviewSession]):
    class Meta:
        model = InterviewSession
        fields = (
            "id",
            "kit",
            "kit_title",
            "candidate_name",
            "scheduled_at",
            "state",
            "share_report",
            "last_seq",
        )


class SessionInputSerializer(serializers.Serializer[Any]):
    kit = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    candidate_name = serializers.CharField(max_length=120)
    scheduled_at = serializers.DateTimeField()
    interviewers = serializers.ListField(
        child=serializers.EmailField(),
        max_length=10,
        default=list,
        help_text="E-mail addresses of other interviewers (accounts).",
    )


class SessionDetailSerializer(serializers.Serializer[Any]):
    session = SessionSerializer()
    live = serializers.DictField(help_text="The state a client resumes from (filtered by your role).")


class EventSerializer(serializers.ModelSerializer[SessionEvent]):
    class Meta:
        model = SessionEvent
        fields = ("seq", "kind", "audience", "actor_role", "payload", "created_at")


class EventsQuerySerializer(serializers.Serializer[Any]):
    after = serializers.IntegerField(min_value=0, max_value=MAX_ID, default=0)


class InviteSerializer(serializers.Serializer[Any]):
    url = serializers.CharField(help_text="The link to send to the candidate (single use).")
    expires_at = serializers.DateTimeField()


class RedeemSerializer(serializers.Serializer[Any]):
    token = serializers.CharField(max_length=200)


class ScorecardSerializer(serializers.ModelSerializer[Scorecard]):
    interviewer = serializers.CharField(source="interviewer.get_short_name", read_only=True)

    class Meta:
        model = Scorecard
        fields = (
            "interviewer",
            "ticks",
            "levels",
            "question_feedback",
            "recommendation",
            "feedback",
            "submitted_at",
            "updated_at",
        )


class ScorecardInputSerializer(serializers.Serializer[Any]):
    levels = serializers.DictField(
        child=serializers.IntegerField(min_value=1, max_value=4, allow_null=True),
        required=False,
        help_text='Question index (as a string) to level 1-4, e.g. {"0": 3}.',
    )
    question_feedback = serializers.DictField(
        child=serializers.CharField(max_length=services.MAX_TEXT_CHARS, allow_blank=True), required=False
    )
    recommendation = serializers.ChoiceField(choices=[("", "None"), *Recommendation.choices], required=False)
    feedback = serializers.CharField(max_length=services.MAX_TEXT_CHARS, allow_blank=True, required=False)


ShareSerializer = inline_serializer(name="InterviewShare", fields={"shared": serializers.BooleanField()})
AddedSerializer = inline_serializer(
    name="InterviewReviewsAdded", fields={"added": serializers.ListField(child=serializers.IntegerField())}
)
PacketSerializer = inline_serializer(
    name="InterviewPacket",
    fields={
        "session_id": serializers.IntegerField(),
        "candidate_name": serializers.CharField(),
        "kit_title": serializers.CharField(),
        "complete": serializers.BooleanField(),
        "pending": serializers.ListField(child=serializers.CharField()),
        "questions": serializers.ListField(child=serializers.DictField()),
        "recommendations": serializers.ListField(child=serializers.DictField()),
        "agreement": serializers.CharField(),
    },
)
ReportSerializer = inline_serializer(
    name="InterviewReport",
    fields={
        "session_id": serializers.IntegerField(),
        "kit_title": serializers.CharField(),
        "questions": serializers.ListField(child=serializers.DictField()),
    },
)


def _valid(serializer_class: Any, data: Any) -> dict[str, Any]:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _participant(request: Request, session_id: int) -> tuple[InterviewSession, Participant]:
    return access.session_access(
        session_id=session_id,
        user=request.user,
        invite_ids=access.invite_ids_of(getattr(request, "session", None)),
    )


def _interviewer(request: Request, session_id: int) -> tuple[InterviewSession, Participant]:
    return access.interviewer_access(session_id=session_id, user=request.user)


# --- kits ---


class KitListApi(generics.ListAPIView[Kit]):
    serializer_class = KitSerializer
    filter_backends = ()

    def get_queryset(self) -> Any:
        return selectors.kits_of(user=signed_in_user(self.request))

    @extend_schema(
        tags=TAGS, summary="Your interview kits", responses={200: KitSerializer(many=True), **errors(404)}
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=TAGS,
        summary="Create a kit",
        request=KitInputSerializer,
        responses={201: KitDetailSerializer, **errors(400)},
    )
    def post(self, request: Request) -> Response:
        user = signed_in_user(request)
        kit = services.kit_create(owner=user, **_valid(KitInputSerializer, request.data))
        return Response(
            KitDetailSerializer(selectors.kit_for(user=user, kit_id=kit.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class KitDetailApi(APIView):
    @extend_schema(
        tags=TAGS,
        summary="One of your kits with its questions and rubrics",
        responses={200: KitDetailSerializer, **errors(404)},
    )
    def get(self, request: Request, kit_id: int) -> Response:
        return Response(
            KitDetailSerializer(selectors.kit_for(user=signed_in_user(request), kit_id=kit_id)).data
        )

    @extend_schema(
        tags=TAGS,
        summary="Rename a kit or change its description",
        request=KitUpdateSerializer,
        responses={200: KitDetailSerializer, **errors(400, 404)},
    )
    def patch(self, request: Request, kit_id: int) -> Response:
        user = signed_in_user(request)
        kit = selectors.kit_for(user=user, kit_id=kit_id)
        services.kit_update(kit=kit, **_valid(KitUpdateSerializer, request.data))
        return Response(KitDetailSerializer(selectors.kit_for(user=user, kit_id=kit_id)).data)


class KitItemListApi(APIView):
    @extend_schema(
        tags=TAGS,
        summary="Add a bank question or a custom question to a kit",
        request=KitItemInputSerializer,
        responses={201: KitItemSerializer, **errors(400, 404)},
    )
    def post(self, request: Request, kit_id: int) -> Response:
        kit = selectors.kit_for(user=signed_in_user(request), kit_id=kit_id)
        data = _valid(KitItemInputSerializer, request.data)
        item = services.kit_add_item(
            kit=kit,
            question_id=data.get("question"),
            custom_prompt=data["custom_prompt"],
            custom_key_points=data["custom_key_points"],
            suggested_minutes=data["suggested_minutes"],
            rubric=data.get("rubric"),
        )
        return Response(KitItemSerializer(item).data, status=status.HTTP_201_CREATED)


class KitItemDetailApi(APIView):
    @extend_schema(tags=TAGS, summary="Remove a question from a kit", responses={204: None, **errors(404)})
    def delete(self, request: Request, kit_id: int, item_id: int) -> Response:
        kit = selectors.kit_for(user=signed_in_user(request), kit_id=kit_id)
        services.kit_remove_item(kit=kit, item_id=min(item_id, MAX_ID))
        return Response(status=status.HTTP_204_NO_CONTENT)


class KitReorderApi(APIView):
    @extend_schema(
        tags=TAGS,
        summary="Reorder a kit's questions",
        request=ReorderSerializer,
        responses={200: KitDetailSerializer, **errors(400, 404)},
    )
    def post(self, request: Request, kit_id: int) -> Response:
        user = signed_in_user(request)
        kit = selectors.kit_for(user=user, kit_id=kit_id)
        services.kit_reorder(kit=kit, item_ids=_valid(ReorderSerializer, request.data)["item_ids"])
        return Response(KitDetailSerializer(selectors.kit_for(user=user, kit_id=kit_id)).data)


class KitCopyApi(APIView):
    @extend_schema(
        tags=TAGS, summary="Copy a kit", request=None, responses={201: KitDetailSerializer, **errors(404)}
    )
    def post(self, request: Request, kit_id: int) -> Response:
        user = signed_in_user(request)
        copy = services.kit_copy(kit=selectors.kit_for(user=user, kit_id=kit_id), owner=user)
        return Response(
            KitDetailSerializer(selectors.kit_for(user=user, kit_id=copy.pk)).data,
            status=status.HTTP_201_CREATED,
        )


# --- sessions ---


class SessionListApi(generics.ListAPIView[InterviewSession]):
    serializer_class = SessionSerializer
    filter_backends = ()

    def get_queryset(self) -> Any:
        return selectors.sessions_of(user=signed_in_user(self.request))

    @extend_schema(
        tags=TAGS,
        summary="The sessions you interview in",
        responses={200: SessionSerializer(many=True), **errors(404)},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=TAGS,
        summary="Schedule a session from one of your kits",
        request=SessionInputSerializer,
        responses={201: SessionSerializer, **errors(400, 404)},
    )
    def post(self, request: Request) -> Response:
        user = signed_in_user(request)
        data = _valid(SessionInputSerializer, request.data)
        kit = selectors.kit_for(user=user, kit_id=data["kit"])
        session = services.session_schedule(
            kit=kit, owner=user, candidate_name=data["candidate_name"], scheduled_at=data["scheduled_at"]
        )
        for email in data["interviewers"]:
            services.session_add_interviewer(session=session, email=email)
        return Response(SessionSerializer(session).data, status=status.HTTP_201_CREATED)


class SessionDetailApi(APIView):
    @extend_schema(
        tags=TAGS,
        summary="A session and its live state (an interviewer's, or the candidate's view)",
        responses={200: SessionDetailSerializer, **errors(404)},
    )
    def get(self, request: Request, session_id: int) -> Response:
        session, participant = _participant(request, session_id)
        return Response(
            {
                "session": SessionSerializer(session).data,
                "live": selectors.session_state(session=session, participant=participant),
            }
        )


class SessionEventListApi(APIView):
    @extend_schema(
        tags=TAGS,
        summary="The session's events after a sequence number (what you may see), oldest first",
        parameters=[OpenApiParameter("after", int, description="Last sequence number you have (default 0).")],
        responses={200: EventSerializer(many=True), **errors(400, 404)},
    )
    def get(self, request: Request, session_id: int) -> Response:
        session, participant = _participant(request, session_id)
        after = _valid(EventsQuerySerializer, request.query_params)["after"]
        events = selectors.events_after(session=session, participant=participant, after=after)
        return Response(EventSerializer(events, many=True).data)


class SessionInviteApi(APIView):
    @extend_schema(
        tags=TAGS,
        summary="Issue a single-use invite link for the candidate",
        request=None,
        responses={201: InviteSerializer, **errors(404, 409)},
    )
    def post(self, request: Request, session_id: int) -> Response:
        session, _ = _interviewer(request, session_id)
        invite, token = services.invite_issue(session=session)
        url = request.build_absolute_uri(reverse("interviews:join", kwargs={"token": token}))
        return Response({"url": url, "expires_at": invite.expires_at}, status=status.HTTP_201_CREATED)


class InviteRedeemApi(APIView):
    @extend_schema(
        tags=TAGS,
        summary="Join a session as its candidate with an invite token (links it to your account)",
        request=RedeemSerializer,
        responses={200: SessionSerializer, **errors(400, 410)},
    )
    def post(self, request: Request) -> Response:
        invite = services.invite_redeem(
            token=_valid(RedeemSerializer, request.data)["token"], user=signed_in_user(request)
        )
        invite.session.refresh_from_db()
        return Response(SessionSerializer(invite.session).data)


class SessionShareApi(APIView):
    @extend_schema(
        tags=TAGS,
        summary="Share (or stop sharing) the feedback report with the candidate",
        request=ShareSerializer,
        responses={200: SessionSerializer, **errors(400, 404)},
    )
    def post(self, request: Request, session_id: int) -> Response:
        session, participant = _interviewer(request, session_id)
        shared = request.data.get("shared") if isinstance(request.data, dict) else None
        if not isinstance(shared, bool):
            raise InvalidInput("shared: true or false.", details={"field": "shared"})
        return Response(
            SessionSerializer(
                services.share_report_set(session=session, participant=participant, shared=shared)
            ).data
        )


# --- scorecards, packet, report ---


class ScorecardApi(APIView):
    @extend_schema(
        tags=TAGS,
        summary="Your scorecard for this session (a draft until submitted)",
        responses={200: ScorecardSerializer, **errors(404)},
    )
    def get(self, request: Request, session_id: int) -> Response:
        session, _ = _interviewer(request, session_id)
        scorecard = selectors.scorecard_of(session=session, user=signed_in_user(request))
        if scorecard is None:
            scorecard = Scorecard(session=session, interviewer=signed_in_user(request))
        return Response(ScorecardSerializer(scorecard).data)

    @extend_schema(
        tags=TAGS,
        summary="Save your draft scorecard",
        request=ScorecardInputSerializer,
        responses={200: ScorecardSerializer, **errors(400, 404, 409)},
    )
    def patch(self, request: Request, session_id: int) -> Response:
        session, participant = _interviewer(request, session_id)
        scorecard = services.scorecard_save(
            session=session, participant=participant, **_valid(ScorecardInputSerializer, request.data)
        )
        return Response(ScorecardSerializer(scorecard).data)


class ScorecardSubmitApi(APIView):
    @extend_schema(
        tags=TAGS,
        summary="Submit your scorecard (final: it cannot change afterwards)",
        request=None,
        responses={200: ScorecardSerializer, **errors(400, 404, 409)},
    )
    def post(self, request: Request, session_id: int) -> Response:
        session, participant = _interviewer(request, session_id)
        return Response(
            ScorecardSerializer(services.scorecard_submit(session=session, participant=participant)).data
        )


class ScorecardListApi(APIView):
    @extend_schema(
        tags=TAGS,
        summary="The scorecards you may read: yours, and everyone's submitted ones once yours is submitted",
        responses={200: ScorecardSerializer(many=True), **errors(404)},
    )
    def get(self, request: Request, session_id: int) -> Response:
        session, participant = _interviewer(request, session_id)
        return Response(
            ScorecardSerializer(
                selectors.scorecards_visible(session=session, participant=participant), many=True
            ).data
        )


class PacketApi(APIView):
    @extend_schema(
        tags=TAGS,
        summary="The hiring packet (after you submit your scorecard)",
        responses={200: PacketSerializer, **errors(404, 409)},
    )
    def get(self, request: Request, session_id: int) -> Response:
        session, participant = _interviewer(request, session_id)
        return Response(selectors.packet_build(session=session, participant=participant))


class ReportApi(APIView):
    @extend_schema(
        tags=TAGS,
        summary="The candidate's report: feedback and missed key points per question (once shared)",
        responses={200: ReportSerializer, **errors(404)},
    )
    def get(self, request: Request, session_id: int) -> Response:
        session, participant = _participant(request, session_id)
        return Response(selectors.candidate_report(session=session, participant=participant))


class ReportReviewsApi(APIView):
    @extend_schema(
        tags=TAGS,
        summary="Add the questions you missed to your reviews (candidates with an account)",
        request=None,
        responses={200: AddedSerializer, **errors(400, 404)},
    )
    def post(self, request: Request, session_id: int) -> Response:
        session, participant = _participant(request, session_id)
        return Response({"added": services.candidate_reviews_add(session=session, participant=participant)})
