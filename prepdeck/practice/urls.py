from django.urls import path

from prepdeck.practice import apis

urlpatterns = [
    path("practice/queue/", apis.QueueApi.as_view(), name="practice-queue"),
    path("practice/reviews/", apis.ReviewListApi.as_view(), name="practice-reviews"),
    path("practice/reviews/undo/", apis.ReviewUndoApi.as_view(), name="practice-review-undo"),
    path(
        "practice/cards/<int:question_id>/suspend/",
        apis.CardSuspendApi.as_view(),
        name="practice-card-suspend",
    ),
    path(
        "practice/cards/<int:question_id>/unsuspend/",
        apis.CardUnsuspendApi.as_view(),
        name="practice-card-unsuspend",
    ),
    path("practice/cards/<int:question_id>/bury/", apis.CardBuryApi.as_view(), name="practice-card-bury"),
    path("practice/statistics/", apis.StatisticsApi.as_view(), name="practice-statistics"),
]
