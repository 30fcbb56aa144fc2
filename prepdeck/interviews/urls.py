"""``/api/v1/interviews/``."""

from django.urls import path

from prepdeck.interviews import apis

P = "interviews/sessions/<int:session_id>/"

urlpatterns = [
    path("interviews/kits/", apis.KitListApi.as_view(), name="interview-kit-list"),
    path("interviews/kits/<int:kit_id>/", apis.KitDetailApi.as_view(), name="interview-kit-detail"),
    path("interviews/kits/<int:kit_id>/items/", apis.KitItemListApi.as_view(), name="interview-kit-items"),
    path(
        "interviews/kits/<int:kit_id>/items/<int:item_id>/",
        apis.KitItemDetailApi.as_view(),
        name="interview-kit-item-detail",
    ),
    path("interviews/kits/<int:kit_id>/reorder/", apis.KitReorderApi.as_view(), name="interview-kit-reorder"),
    path("interviews/kits/<int:kit_id>/copy/", apis.KitCopyApi.as_view(), name="interview-kit-copy"),
    path("interviews/sessions/", apis.SessionListApi.as_view(), name="interview-session-list"),
    path("interviews/join/", apis.InviteRedeemApi.as_view(), name="interview-join"),
    path(P, apis.SessionDetailApi.as_view(), name="interview-session-detail"),
    path(P + "events/", apis.SessionEventListApi.as_view(), name="interview-events"),
    path(P + "invites/", apis.SessionInviteApi.as_view(), name="interview-invites"),
    path(P + "share/", apis.SessionShareApi.as_view(), name="interview-share"),
    path(P + "scorecard/", apis.ScorecardApi.as_view(), name="interview-scorecard"),
    path(P + "scorecard/submit/", apis.ScorecardSubmitApi.as_view(), name="interview-scorecard-submit"),
    path(P + "scorecards/", apis.ScorecardListApi.as_view(), name="interview-scorecards"),
    path(P + "packet/", apis.PacketApi.as_view(), name="interview-packet"),
    path(P + "report/", apis.ReportApi.as_view(), name="interview-report"),
    path(P + "report/reviews/", apis.ReportReviewsApi.as_view(), name="interview-report-reviews"),
]
